"""Exercise 10: a health report built from the server's monitoring data.

Operators look at NATS through its HTTP monitoring port. Write three functions that turn
what ``/healthz``, ``/varz`` and ``/jsz`` say into a short report:

* ``server_summary`` — is the server healthy, which version, how many clients, JetStream on?
* ``consumer_backlog`` — for every consumer, how many messages still wait on it.
* ``problems`` — which consumers need a look: stuck ones, and ones lagging too far behind.

Read the endpoints with ``gym.monitor`` (``healthz``, ``varz``, ``jsz``) or any HTTP client.
"""

from __future__ import annotations

from gym import monitor


async def server_summary(monitor_url: str) -> dict:
    """Return ``{"healthy": bool, "version": str, "connections": int, "jetstream": bool}``.

    ``healthy`` is True when ``/healthz`` answers status ``"ok"``; ``version`` and
    ``connections`` come from ``/varz``; ``jetstream`` is True when ``/varz`` shows a
    JetStream configuration.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


async def consumer_backlog(monitor_url: str) -> dict[str, dict[str, int]]:
    """Return, for every consumer, keyed ``"STREAM/consumer"``, a dict with three numbers.

    ``{"pending": num_pending, "ack_pending": num_ack_pending, "max_ack_pending": …}``
    from ``/jsz?consumers=1&config=1`` (streams and consumers sit under
    ``account_details`` → ``stream_detail`` → ``consumer_detail``). A consumer that
    acknowledges nothing (``ack_policy`` none: an ordered consumer, a Key-Value watcher) has
    no ``max_ack_pending`` in its config: give it -1, no limit.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


def problems(backlog: dict[str, dict[str, int]], max_pending: int) -> dict[str, str]:
    """Return ``{"STREAM/consumer": "stuck" | "lagging"}`` for the consumers that need a look.

    A consumer is ``"stuck"`` when its ack-pending count has reached its max_ack_pending:
    the server gives it nothing more until it acknowledges (a max_ack_pending of -1 means
    no limit: that consumer is never stuck). Otherwise it is ``"lagging"``
    when more than ``max_pending`` messages wait to be delivered to it. Healthy consumers
    are left out.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError

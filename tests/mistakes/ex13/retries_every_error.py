# mistake: every APIError is retried, not only 10071: a state the stream can never take is
#   computed and refused again and again
# expect: called change 5 times before raising the server's refusal
# expect: Retry only when `error.err_code == WRONG_LAST_SEQUENCE`

"""Exercise 13: per-ticker state that two writers can update at once without losing an update.

The stream TICKER_STATE keeps one JSON document per ticker, on ``state.ticker.<TICKER>``: the
latest message on a ticker's subject is its current state, and each update is a new message.
Two writers (a risk engine and a rebalancer, say) update the same ticker. A plain
read-change-publish loses updates: both read version 7, both publish their version 8, and
one of the two changes is gone.

The header ``Nats-Expected-Last-Subject-Sequence`` makes a publish conditional: the server
stores it only if the subject's last message still has that sequence (``"0"``: only if the
subject has no message yet), and refuses it otherwise with error 10071, "wrong last
sequence". A writer that gets 10071 reads the state again, applies its change to what is
there now, and tries again.

Write ``read_state`` and ``update_state``. Check them with ``gym check ex13`` (or
``gym.check("ex13")`` in notebook 13).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import Header
from nats.js.errors import APIError, NotFoundError

STREAM = "TICKER_STATE"
"""The stream holding every ticker's state; it captures ``state.ticker.*``."""

SUBJECT = "state.ticker.{ticker}"
"""One subject per ticker: ``SUBJECT.format(ticker="AAPL")`` is ``state.ticker.AAPL``."""

WRONG_LAST_SEQUENCE = 10071
"""JetStream's err_code when an expected-last-sequence header no longer holds."""

State = dict[str, Any]


async def read_state(js: JetStreamContext, ticker: str) -> tuple[State | None, int]:
    """The ticker's current state and the stream sequence of the message that holds it.

    * The current state is the JSON document in the **last** message on the ticker's
      subject in STREAM (``js.get_last_msg``); return it parsed, with that message's ``seq``.
    * A ticker with no message yet has no state: return ``(None, 0)``
      (``get_last_msg`` raises ``nats.js.errors.NotFoundError`` then).
    """
    try:
        msg = await js.get_last_msg(STREAM, SUBJECT.format(ticker=ticker))
    except NotFoundError:
        return None, 0
    return json.loads(msg.data), msg.seq


async def update_state(
    js: JetStreamContext,
    ticker: str,
    change: Callable[[State | None], State],
    *,
    attempts: int = 10,
) -> tuple[State, int]:
    """Apply ``change`` to the ticker's current state and store the result; return
    ``(new_state, seq)``, ``seq`` being the stream sequence the new state was stored at.

    * Read the current state and its sequence (``read_state``); ``new_state = change(state)``
      (``change`` is a plain function; it gets ``None`` for a ticker with no state yet).
    * Publish ``new_state`` as JSON on the ticker's subject with the header
      ``Nats-Expected-Last-Subject-Sequence`` set to the sequence you read, as a string
      (``"0"`` when there was no state: create-only).
    * If the server refuses with err_code 10071 (``WRONG_LAST_SEQUENCE``: another writer got
      there first), read again and apply ``change`` to the fresh state; make at most
      ``attempts`` attempts, then raise the last error. Raise any other error at once.
    """
    subject = SUBJECT.format(ticker=ticker)
    for attempt in range(1, attempts + 1):
        state, seq = await read_state(js, ticker)  # read again on every attempt: that's the fix
        new_state = change(state)
        headers = {Header.EXPECTED_LAST_SUBJECT_SEQUENCE: str(seq)}
        try:
            ack = await js.publish(subject, json.dumps(new_state).encode(), headers=headers)
        except APIError:
            if attempt == attempts:
                raise
            continue  # someone else updated the ticker since we read it
        return new_state, ack.seq
    raise ValueError(f"attempts must be at least 1, got {attempts}")

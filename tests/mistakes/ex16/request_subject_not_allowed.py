# mistake: the predictor's publish allow list forgets svc.explain: its requests are refused
# expect: must be able to publish its request to svc.explain, but the server refused it
# expect: Sending a request is publishing to its subject

"""Exercise 16: a user for each of the pipeline's services, allowed only what it needs.

Write ``permissions()``. It returns, for each service, the ``permissions`` block of that
service's user in the server's configuration, as a dict (notebook 16 shows every piece)::

    {"publish": {"allow": [...], "deny": [...]}, "subscribe": {...}, "allow_responses": True}

The check adds the users and their passwords, writes the configuration with
``gym.security.config_text``, starts a real server with it and tries, as each service,
every subject of the spec below: what is allowed must work, what is not must be refused.

The spec (the services talk core NATS here; notebook 16 shows what JetStream adds):

* ``feed`` publishes market data:
    - it may publish to any subject under ``market.data`` (``market.data.ohlcv.AAPL``,
      ``market.data.news.MSFT``);
    - it may publish nowhere else, and subscribe to nothing.
* ``predictor`` turns market data into predictions:
    - it may subscribe to ``market.data.>``;
    - it may publish predictions at any depth under ``predictions``
      (``predictions.normal.AAPL``, ``predictions.earnings.MSFT``);
    - it may ask the explainer: send requests to ``svc.explain`` and receive the replies,
      which come back on its inbox (a subject under ``_INBOX``);
    - it must not publish market data or explanations, nor read predictions or
      explanations.
* ``explainer`` explains predictions:
    - it may subscribe to ``predictions.>`` and to the requests on ``svc.explain``;
    - it may publish explanations (``explanations.>``) and answer the requests it
      receives, but publish to no inbox it was not asked to answer;
    - it must not publish predictions or market data, nor read market data.
"""

from __future__ import annotations

from typing import Any

SERVICES = ("feed", "predictor", "explainer")
"""The pipeline's services, one user each."""


def permissions() -> dict[str, dict[str, Any]]:
    """The ``permissions`` block of each service's user: ``{"feed": {...}, ...}``.

    Each block may have ``"publish"`` and ``"subscribe"`` (each a dict with ``"allow"``
    and/or ``"deny"`` lists of subjects, wildcards allowed) and ``"allow_responses"``.
    Prefer allow lists: with one, everything not on it is refused.
    """
    return {
        "feed": {
            "publish": {"allow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},  # no allow list would mean "everything"
        },
        "predictor": {
            "publish": {"allow": ["predictions.>"]},
            "subscribe": {"allow": ["market.data.>", "_INBOX.>"]},  # replies come to _INBOX
        },
        "explainer": {
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
            "allow_responses": True,  # may answer each request it receives, once
        },
    }

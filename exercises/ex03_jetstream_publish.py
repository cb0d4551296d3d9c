"""Exercise 03 · Publish predictions to JetStream and keep what the acks say.

A JetStream publish is a request: the stream that captures the subject stores the message
and answers with a ``PubAck`` (its name and the message's sequence number). A core
``nc.publish`` gets no answer, so only ``js.publish`` tells you a message was stored.

Write two functions (notebook 03 shows every piece):

* ``publish_predictions``: wrap each prediction in the course envelope, publish it with
  JetStream to ``predictions.normal.<TICKER>`` and return ``(stream, seq)`` from each ack.
* ``where_stored``: publish one message and say where it was stored, or ``None`` when no
  stream captures its subject (the "no response from stream" error).

Check your work: ``gym.check("ex03")`` in the notebook, or ``gym check ex03`` in a terminal.
"""

from __future__ import annotations

from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NoStreamResponseError

from gym import messages


async def publish_predictions(
    js: JetStreamContext, predictions: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    """Publish each prediction to JetStream; return ``(ack.stream, ack.seq)`` for each, in order.

    A prediction looks like ``{"ticker": "AAPL", "predicted_price": 155.5, "confidence": 0.87}``.
    For each one:

    * build the envelope with ``messages.envelope("prediction", ticker, data)``, where
      ``data`` is the prediction without its ``"ticker"`` key;
    * publish ``messages.encode(envelope)`` with ``js.publish`` (not ``nc.publish``) to the
      subject ``predictions.normal.<TICKER>``, e.g. ``predictions.normal.AAPL``;
    * keep the stream name and sequence number the ``PubAck`` reports.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


async def where_stored(
    js: JetStreamContext, subject: str, payload: bytes
) -> tuple[str, int] | None:
    """Publish ``payload`` to ``subject`` with JetStream and say where it was stored.

    Return ``(stream, seq)`` from the ack, or ``None`` when no stream captures ``subject``:
    nats-py then raises ``NoStreamResponseError`` ("no response from stream"). Let any
    other error propagate: it means something else went wrong.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError

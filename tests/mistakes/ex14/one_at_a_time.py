# mistake: await js.publish for each prediction in turn: correct, but one round trip each
# expect: expected at least 5×

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from nats.js import JetStreamContext
from nats.js.api import Header, PubAck


class Prediction(NamedTuple):
    subject: str
    data: bytes
    msg_id: str


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    acks = []
    for p in predictions:
        acks.append(await js.publish(p.subject, p.data, headers={Header.MSG_ID: p.msg_id}))
    return acks

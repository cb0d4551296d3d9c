# mistake: asyncio.gather of js.publish with no message ids: a batch sent again is stored twice
# expect: no Nats-Msg-Id header
# expect: stored twice

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import NamedTuple

from nats.js import JetStreamContext
from nats.js.api import PubAck


class Prediction(NamedTuple):
    subject: str
    data: bytes
    msg_id: str


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    return list(await asyncio.gather(*(js.publish(p.subject, p.data) for p in predictions)))

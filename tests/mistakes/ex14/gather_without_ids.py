# mistake: asyncio.gather of js.publish with no message ids: a batch sent again is stored twice
# expect: no Nats-Msg-Id header
# expect: stored twice

from nats.js.api import PubAck


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    return list(await asyncio.gather(*(js.publish(p.subject, p.data) for p in predictions)))

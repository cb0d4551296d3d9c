# mistake: a fresh uuid4 as each publish's message id: it names the attempt, not the prediction
# expect: stored twice

import uuid


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    futures = [
        await js.publish_async(p.subject, p.data, headers={Header.MSG_ID: str(uuid.uuid4())})
        for p in predictions
    ]
    await asyncio.wait_for(js.publish_async_completed(), timeout)
    return [future.result() for future in futures]

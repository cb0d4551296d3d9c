# mistake: waits for the acks with publish_async_completed() alone, ignoring timeout: one lost
#   ack and the caller waits forever
# expect: was still waiting
# expect: asyncio.wait_for(js.publish_async_completed(), timeout)


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    futures = [
        await js.publish_async(p.subject, p.data, headers={Header.MSG_ID: p.msg_id})
        for p in predictions
    ]
    await js.publish_async_completed()
    return [future.result() for future in futures]  # result() raises a refused publish's error

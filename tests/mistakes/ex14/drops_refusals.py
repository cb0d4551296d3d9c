# mistake: a refused publish is quietly left out of the result instead of raised
# expect: without raising


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    futures = [
        await js.publish_async(p.subject, p.data, headers={Header.MSG_ID: p.msg_id})
        for p in predictions
    ]
    await asyncio.wait_for(js.publish_async_completed(), timeout)
    return [future.result() for future in futures if future.exception() is None]

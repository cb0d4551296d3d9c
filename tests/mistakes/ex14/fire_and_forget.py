# mistake: publish_async for each prediction, but it returns without waiting for the acks
# expect: still waited for their ack


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    futures = [
        await js.publish_async(p.subject, p.data, headers={Header.MSG_ID: p.msg_id})
        for p in predictions
    ]
    return [future.result() for future in futures if future.done()]

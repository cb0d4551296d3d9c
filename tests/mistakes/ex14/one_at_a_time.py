# mistake: await js.publish for each prediction in turn: correct, but one round trip each
# expect: expected at least 5×


async def publish_batch(
    js: JetStreamContext, predictions: Sequence[Prediction], *, timeout: float = 10.0
) -> list[PubAck]:
    acks = []
    for p in predictions:
        acks.append(await js.publish(p.subject, p.data, headers={Header.MSG_ID: p.msg_id}))
    return acks

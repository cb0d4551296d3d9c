# mistake: where_stored turns every error into None, not only 'no stream'
# expect: not with 'no stream', and returning None hid it
# expect: Catch only the one error that means 'no stream'


async def where_stored(
    js: JetStreamContext, subject: str, payload: bytes
) -> tuple[str, int] | None:
    try:
        ack = await js.publish(subject, payload)
    except Exception:
        return None
    return ack.stream, ack.seq

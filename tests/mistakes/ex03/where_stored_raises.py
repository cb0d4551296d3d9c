# mistake: where_stored lets 'no response from stream' escape instead of returning None
# expect: where_stored() raised NoStreamResponseError
# expect: Catch nats.js.errors.NoStreamResponseError and return None.


async def where_stored(
    js: JetStreamContext, subject: str, payload: bytes
) -> tuple[str, int] | None:
    ack = await js.publish(subject, payload)
    return ack.stream, ack.seq

# mistake: range(attempts) counts from 0, so 'if attempt == attempts: raise' never fires and
#   safe_publish returns None after the last failure
# expect: returned None after all 4 attempts failed
# expect: `range(attempts)` counts 0 to attempts - 1


async def safe_publish(
    js: JetStreamContext,
    subject: str,
    data: bytes,
    msg_id: str,
    *,
    attempts: int = 3,
    timeout: float = 0.5,
    backoff: float = 0.1,
) -> PubAck:
    headers = {Header.MSG_ID: msg_id}  # the same id on every attempt: that is the point
    for attempt in range(attempts):
        try:
            return await js.publish(subject, data, timeout=timeout, headers=headers)
        except RETRYABLE:
            if attempt == attempts:
                raise  # out of attempts: the caller sees what went wrong last
        # Short and growing: enough for a stream being created or a server restarting,
        # not so long that a caller waits seconds for a verdict.
        await asyncio.sleep(backoff * 2**attempt)

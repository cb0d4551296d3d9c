# mistake: each retry gets a message id of its own, so the stream takes it for a new message
# expect: a retry must carry the same id as the first attempt


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
    for attempt in range(1, attempts + 1):
        try:
            headers = {Header.MSG_ID: msg_id if attempt == 1 else f"{msg_id}-retry{attempt}"}
            return await js.publish(subject, data, timeout=timeout, headers=headers)
        except RETRYABLE:
            if attempt == attempts:
                raise
        await asyncio.sleep(backoff * 2 ** (attempt - 1))
    raise ValueError(f"attempts must be at least 1, got {attempts}")

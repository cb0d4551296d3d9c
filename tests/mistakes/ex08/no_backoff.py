# mistake: retries at once, with no backoff: a stream being created is not there yet
# expect: expected to wait backoff (0.1 s) first


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
    headers = {Header.MSG_ID: msg_id}
    for attempt in range(1, attempts + 1):
        try:
            return await js.publish(subject, data, timeout=timeout, headers=headers)
        except RETRYABLE:
            if attempt == attempts:
                raise
    raise ValueError(f"attempts must be at least 1, got {attempts}")

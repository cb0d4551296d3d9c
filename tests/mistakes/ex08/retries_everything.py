# mistake: retries every error, even one the server will refuse every time (message too large)
# expect: though the server refuses this message every time


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
        except Exception:  # any failure might go away next time
            if attempt == attempts:
                raise
        await asyncio.sleep(backoff * 2 ** (attempt - 1))
    raise ValueError(f"attempts must be at least 1, got {attempts}")

# mistake: retries with while True, so a publish that can never succeed is retried forever
# expect: it should stop after 4


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
    attempt = 1
    while True:
        try:
            return await js.publish(subject, data, timeout=timeout, headers=headers)
        except RETRYABLE:
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
            attempt += 1

# mistake: retries without a Nats-Msg-Id, so a retry after a lost ack stores the prediction twice
# expect: the stored message has no Nats-Msg-Id header
# expect: the attempts carried no Nats-Msg-Id header

from nats.js.api import PubAck


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
            return await js.publish(subject, data, timeout=timeout)
        except RETRYABLE:
            if attempt == attempts:
                raise
        await asyncio.sleep(backoff * 2 ** (attempt - 1))
    raise ValueError(f"attempts must be at least 1, got {attempts}")

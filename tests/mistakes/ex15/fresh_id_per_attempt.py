# mistake: a new uuid4() for every attempt, so a retry never looks like its first attempt
# expect: a retry carried another id than its first attempt

import uuid


async def publish_all(
    js: JetStreamContext,
    subject: str,
    payloads: list[bytes],
    *,
    prefix: str,
    timeout: float = 0.5,
    backoff: float = 0.05,
    max_backoff: float = 0.5,
    give_up_after: float = 30.0,
) -> list[PubAck]:
    loop = asyncio.get_running_loop()
    acks: list[PubAck] = []
    for payload in payloads:
        give_up_at = loop.time() + give_up_after
        wait = backoff
        while True:
            headers = {Header.MSG_ID: str(uuid.uuid4())}  # unique per attempt: wrong
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if loop.time() >= give_up_at:
                    raise
            await asyncio.sleep(wait)
            wait = min(wait * 2, max_backoff)
    return acks

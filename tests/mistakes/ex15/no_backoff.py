# mistake: retries at once, in a tight loop, while the stream has no leader
# expect: hammering the servers


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
    for index, payload in enumerate(payloads):
        headers = {Header.MSG_ID: f"{prefix}-{index}"}
        give_up_at = loop.time() + give_up_after
        while True:
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if loop.time() >= give_up_at:
                    raise
                continue  # straight back at it: no wait at all
    return acks

# mistake: doubles the wait without a ceiling: after a long election the next try comes seconds late
# expect: grew past its ceiling


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
        wait = backoff
        while True:
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if loop.time() >= give_up_at:
                    raise
            await asyncio.sleep(wait)
            wait *= 2  # no max_backoff
    return acks

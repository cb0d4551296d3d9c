# mistake: ex08's three attempts with a short backoff: gone long before the election ends
# expect: gave up after
# expect: Electing a new leader takes 4 to 9 s


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
    acks: list[PubAck] = []
    for index, payload in enumerate(payloads):
        headers = {Header.MSG_ID: f"{prefix}-{index}"}
        for attempt in range(1, 4):
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if attempt == 3:
                    raise
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
    return acks

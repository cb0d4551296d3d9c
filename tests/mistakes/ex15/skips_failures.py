# mistake: logs a failed publish and moves on to the next payload, so it is never stored
# expect: although no stream existed


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
        try:
            acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
        except RETRYABLE as error:
            print(f"could not publish payload {index}: {error}")  # and it is gone
            await asyncio.sleep(backoff)
    return acks

# mistake: handles every message but never acknowledges one, so all are redelivered later
# expect: all 25 messages were handled but none was acknowledged
# expect: Acknowledge each message after handling it


async def drain_backlog(
    js: JetStreamContext,
    stream: str,
    durable: str,
    handle: Callable[[Msg], Awaitable[None]],
    *,
    batch: int = BATCH,
    wait: float = EMPTY_WAIT,
) -> int:
    psub = await js.pull_subscribe_bind(durable, stream=stream)
    processed = 0
    while True:
        try:
            msgs = await psub.fetch(batch, timeout=wait)
        except TimeoutError:
            break
        for msg in msgs:
            await handle(msg)
            processed += 1
    await psub.unsubscribe()
    return processed

# mistake: fetches one batch and stops, as if fetch returned the whole backlog
# expect: handle never saw 15 of the 25 messages
# expect: Keep fetching until a fetch comes back empty


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
    try:
        try:
            msgs = await psub.fetch(batch, timeout=wait)
        except TimeoutError:
            return 0
        for msg in msgs:
            await handle(msg)
            await msg.ack()
            processed += 1
    finally:
        await psub.unsubscribe()
    return processed

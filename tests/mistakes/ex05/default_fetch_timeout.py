# mistake: fetch(batch) with fetch's default timeout (5 s), so an empty fetch takes 5 s
# expect: had not returned 2 s after it was called, although every message had been delivered
# expect: Pass `wait` on to every fetch


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
        while True:
            try:
                msgs = await psub.fetch(batch)
            except TimeoutError:
                break
            for msg in msgs:
                await handle(msg)
                await msg.ack()
                processed += 1
    finally:
        await psub.unsubscribe()
    return processed

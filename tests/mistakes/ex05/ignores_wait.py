# mistake: fetches with the module's EMPTY_WAIT instead of the wait it was given
# expect: its empty fetch should give up after `wait`
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
                msgs = await psub.fetch(batch, timeout=EMPTY_WAIT)
            except TimeoutError:
                break
            for msg in msgs:
                await handle(msg)
                await msg.ack()
                processed += 1
    finally:
        await psub.unsubscribe()
    return processed

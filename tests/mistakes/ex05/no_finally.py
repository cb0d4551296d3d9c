# mistake: unsubscribes only after a normal loop end: a failing handle leaves it open
# expect: when handle raised, drain_backlog let the error through (good) but left its pull


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
            await msg.ack()
            processed += 1
    await psub.unsubscribe()
    return processed

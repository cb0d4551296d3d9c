# mistake: catches handle's exception and stops quietly, so the caller never learns it failed
# expect: the error never reached the caller
# expect: Let the exception leave drain_backlog


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
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:
                break
            for msg in msgs:
                try:
                    await handle(msg)
                except Exception:
                    break
                await msg.ack()
                processed += 1
            else:
                continue
            break
    finally:
        await psub.unsubscribe()
    return processed

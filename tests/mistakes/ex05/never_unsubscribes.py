# mistake: the worker never unsubscribes, so every call leaves an inbox open on the server
# expect: after drain_backlog returned, the server still holds its pull subscription
# expect: psub.unsubscribe()


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
            return processed
        for msg in msgs:
            await handle(msg)
            await msg.ack()
            processed += 1

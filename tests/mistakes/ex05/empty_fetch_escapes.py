# mistake: the loop ends when fetch raises, and nothing catches the timeout
# expect: raised TimeoutError
# expect: wrap `fetch` in `try: ... except TimeoutError:`


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
            for msg in await psub.fetch(batch, timeout=wait):
                await handle(msg)
                await msg.ack()
                processed += 1
    finally:
        await psub.unsubscribe()

# mistake: hands handle the payload (msg.data) instead of the message
# expect: handle was called as handle(b'{"n": 0}'); it takes one argument, the message
# expect: Call `await handle(msg)` once for each message


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
                await handle(msg.data)
                await msg.ack()
                processed += 1
    finally:
        await psub.unsubscribe()
    return processed

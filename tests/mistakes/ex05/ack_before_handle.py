# mistake: acknowledges each message before handle runs, so a failing handle loses it
# expect: was acknowledged (ack floor at seq 2) although handle failed, so it is lost
# expect: Acknowledge only after `await handle(msg)` returned


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
                await msg.ack()  # "done" before the work is done
                await handle(msg)
                processed += 1
    finally:
        await psub.unsubscribe()
    return processed

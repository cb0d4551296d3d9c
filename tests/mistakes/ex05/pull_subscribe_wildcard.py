# mistake: the tutorial's pull_subscribe on predictions.* with a made-up durable name
# expect: no stream captures that subject, or the durable does not exist: bind with
# expect: `pull_subscribe_bind`


async def drain_backlog(
    js: JetStreamContext,
    stream: str,
    durable: str,
    handle: Callable[[Msg], Awaitable[None]],
    *,
    batch: int = BATCH,
    wait: float = EMPTY_WAIT,
) -> int:
    psub = await js.pull_subscribe("predictions.*", durable="worker")
    processed = 0
    try:
        while True:
            try:
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:
                break
            for msg in msgs:
                await handle(msg)
                await msg.ack()
                processed += 1
    finally:
        await psub.unsubscribe()
    return processed

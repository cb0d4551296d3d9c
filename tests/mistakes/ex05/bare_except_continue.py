# mistake: while True fetch loop; its bare except: continue also swallows the cancellation
# expect: did not finish within 5 s: drain_backlog() was still running


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
        except:  # noqa: E722
            continue
        for msg in msgs:
            await handle(msg)
            await msg.ack()
            processed += 1

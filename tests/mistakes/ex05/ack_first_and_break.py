# mistake: the worker: ack before handle, and except Exception: break around handle
# expect: the error never reached the caller
# expect: although handle failed, so it is lost


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
    done = False
    while not done:
        try:
            msgs = await psub.fetch(batch, timeout=wait)
        except TimeoutError:
            break
        for msg in msgs:
            await msg.ack()
            try:
                await handle(msg)
            except Exception:
                done = True
                break
            processed += 1
    await psub.unsubscribe()
    return processed

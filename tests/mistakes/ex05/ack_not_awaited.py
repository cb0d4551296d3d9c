# mistake: msg.ack() without await after handle: the coroutine is created but never run, so no
#   ack is sent
# expect: all 25 messages were handled but none was acknowledged
# expect: an ack that is not awaited (`msg.ack()` alone) is never sent


async def drain_backlog(
    js: JetStreamContext,
    stream: str,
    durable: str,
    handle: Callable[[Msg], Awaitable[None]],
    *,
    batch: int = BATCH,
    wait: float = EMPTY_WAIT,
) -> int:
    # The consumer exists already; binding only opens an inbox for its deliveries.
    psub = await js.pull_subscribe_bind(durable, stream=stream)
    processed = 0
    try:
        while True:
            try:
                # fetch waits up to `wait` for the first message: no sleep needed between rounds.
                msgs = await psub.fetch(batch, timeout=wait)
            except TimeoutError:
                # Usually nats.errors.TimeoutError, now and then asyncio's own: on Python
                # 3.11+ both are the builtin TimeoutError, so this one clause covers both.
                msgs = []
            if not msgs:
                break  # nothing arrived within `wait` (a raise or, rarely, []): drained
            for msg in msgs:
                await handle(msg)
                # ack_sync waits for the server to confirm, so when this function returns,
                # every message it counted is acknowledged on the server, not in flight.
                msg.ack()
                processed += 1
    finally:
        await psub.unsubscribe()
    return processed

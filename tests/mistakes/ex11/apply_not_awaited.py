# mistake: apply is called but never awaited, so no change is ever applied
# expect: await apply(ticker, version, revision)


async def follow_registry(
    kv: KeyValue,
    apply: Callable[[str, str | None, int], Awaitable[None]],
    ready: asyncio.Event,
    stop: asyncio.Event,
) -> int:
    watcher = await kv.watchall()
    applied = 0
    try:
        while not stop.is_set():
            try:
                entry = await watcher.updates(timeout=STOP_POLL)
            except TimeoutError:  # no change within STOP_POLL: look at stop again
                continue
            if entry is None:  # the marker: every current entry was delivered
                ready.set()
                continue
            removed = entry.operation in ("DEL", "PURGE")
            version = None if removed else entry.value.decode()
            apply(entry.key, version, entry.revision)
            applied += 1
    finally:
        await watcher.stop()  # unsubscribes: no watcher left behind
    return applied

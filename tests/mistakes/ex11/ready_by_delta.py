# mistake: ready is set when an entry has delta 0, which an empty registry never sends
# expect: delta == 0 never comes for an empty bucket


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
            if entry is None:
                continue
            removed = entry.operation in ("DEL", "PURGE")
            version = None if removed else entry.value.decode()
            await apply(entry.key, version, entry.revision)
            applied += 1
            if entry.delta == 0:  # the last of the current entries
                ready.set()
    finally:
        await watcher.stop()  # unsubscribes: no watcher left behind
    return applied

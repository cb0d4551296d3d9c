# mistake: the watcher loop lets updates()'s TimeoutError escape when nothing changes
# expect: TimeoutError
# expect: that is normal for a registry


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
            entry = await watcher.updates(timeout=STOP_POLL)
            if entry is None:  # the marker: every current entry was delivered
                ready.set()
                continue
            removed = entry.operation in ("DEL", "PURGE")
            version = None if removed else entry.value.decode()
            await apply(entry.key, version, entry.revision)
            applied += 1
    finally:
        await watcher.stop()  # unsubscribes: no watcher left behind
    return applied

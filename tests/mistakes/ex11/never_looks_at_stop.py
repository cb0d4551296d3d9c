# mistake: the watcher loop waits for changes forever and never looks at stop
# expect: did not return within 1 s after stop was set


async def follow_registry(
    kv: KeyValue,
    apply: Callable[[str, str | None, int], Awaitable[None]],
    ready: asyncio.Event,
    stop: asyncio.Event,
) -> int:
    watcher = await kv.watchall()
    applied = 0
    try:
        async for entry in watcher:
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

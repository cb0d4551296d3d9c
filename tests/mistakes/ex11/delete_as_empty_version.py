# mistake: a delete or purge is applied as a deploy of an empty version
# expect: apply(ticker, None, revision)


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
            version = entry.value.decode()
            await apply(entry.key, version, entry.revision)
            applied += 1
    finally:
        await watcher.stop()  # unsubscribes: no watcher left behind
    return applied

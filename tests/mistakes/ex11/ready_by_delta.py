# mistake: ready is set when an entry has delta 0, which an empty registry never sends
# expect: delta == 0 never comes for an empty bucket


async def follow_registry(
    kv: KeyValue,
    apply: Callable[[str, str | None, int], Awaitable[None]],
    ready: asyncio.Event,
    stop: asyncio.Event,
) -> int:
    """Keep a predictor in step with the registry until ``stop`` is set.

    * Watch every key of the bucket (``kv.watchall()``).
    * The watcher first delivers the newest entry of each ticker: ``await apply(ticker,
      version, revision)`` for each.
    * Then it delivers ``None``, once: the current registry is fully loaded. Set ``ready``
      then (not before) and keep watching: ``None`` is a marker, neither an entry nor the end.
    * Then every change as it happens, in order: a deploy as ``apply(ticker, version,
      revision)``; a delete or purge (``entry.operation`` is ``"DEL"`` or ``"PURGE"``, the
      value empty) as ``apply(ticker, None, revision)``.
    * When ``stop`` is set: stop the watcher and return how many times ``apply`` was
      called. Return within a second of ``stop``: wait for each change with
      ``watcher.updates(timeout=STOP_POLL)``, which raises ``TimeoutError`` when nothing
      came, and look at ``stop`` in between.
    """
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

# mistake: after a conflict deploy reports its own stale view instead of reading the ticker again
# expect: read the ticker again and report what serves it now


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    try:
        if revision == 0:
            new_revision = await kv.create(ticker, value)  # only if absent (or deleted)
        else:
            new_revision = await kv.update(ticker, value, last=revision)  # only if unchanged
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        return Deployment(False, version, revision)
    return Deployment(True, version, new_revision)

# mistake: deploy reports revision + 1 as the new revision, as if each ticker counted its own
#   revisions; the bucket counts every write
# expect: a revision counts every write to the bucket
# expect: kv.update(...)` and `kv.create(...)` return it


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    try:
        if revision == 0:
            await kv.create(ticker, value)  # only if absent (or deleted)
        else:
            await kv.update(ticker, value, last=revision)  # only if unchanged
        new_revision = revision + 1  # the ticker's next revision
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        now = await serving(kv, ticker)
        if now is None:
            return Deployment(False, None, 0)
        return Deployment(False, *now)
    return Deployment(True, version, new_revision)

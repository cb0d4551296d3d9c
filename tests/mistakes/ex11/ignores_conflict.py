# mistake: deploy catches the conflict error and reports success anyway
# expect: the conflict was ignored


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    try:
        if revision == 0:
            new_revision = await kv.create(ticker, value)  # only if absent (or deleted)
        else:
            new_revision = await kv.update(ticker, value, last=revision)  # only if unchanged
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        return Deployment(True, version, revision)  # "it's fine"
    return Deployment(True, version, new_revision)

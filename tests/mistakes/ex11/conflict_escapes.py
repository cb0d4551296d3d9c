# mistake: deploy lets KeyWrongLastSequenceError escape instead of reporting the conflict
# expect: KeyWrongLastSequenceError
# expect: someone changed the ticker after the revision you were given


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    if revision == 0:
        new_revision = await kv.create(ticker, value)
    else:
        new_revision = await kv.update(ticker, value, last=revision)
    return Deployment(True, version, new_revision)

# mistake: deploy uses update(last=0) for a first model, which a deleted ticker refuses
# expect: create also replaces a delete marker


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    try:
        if revision == 0:
            new_revision = await kv.update(ticker, value, last=0)
        else:
            new_revision = await kv.update(ticker, value, last=revision)  # only if unchanged
    except KeyWrongLastSequenceError:
        # Someone deployed (or removed the model) after we read `revision`: they won.
        now = await serving(kv, ticker)
        if now is None:
            return Deployment(False, None, 0)
        return Deployment(False, *now)
    return Deployment(True, version, new_revision)

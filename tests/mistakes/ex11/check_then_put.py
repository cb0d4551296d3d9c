# mistake: deploy compares the revision itself, then puts: two deployers both pass that test
# expect: both wrote to the registry


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    now = await serving(kv, ticker)
    current = 0 if now is None else now[1]
    if current != revision:  # someone deployed since: report them
        return Deployment(False, *(now or (None, 0)))
    new_revision = await kv.put(ticker, value)  # ...but someone may deploy right now
    return Deployment(True, version, new_revision)

# mistake: deploy writes with put: the last writer wins and the other deployment is lost
# expect: a lost update


async def deploy(kv: KeyValue, ticker: str, version: str, *, revision: int) -> Deployment:
    value = version.encode()
    new_revision = await kv.put(ticker, value)  # whoever writes last wins
    return Deployment(True, version, new_revision)

# mistake: serving lets KeyNotFoundError escape for a ticker with no model
# expect: catch it and return None


async def serving(kv: KeyValue, ticker: str) -> tuple[str, int] | None:
    entry = await kv.get(ticker)
    return entry.value.decode(), entry.revision

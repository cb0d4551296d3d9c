# mistake: serving lets KeyNotFoundError escape for a ticker with no model
# expect: catch it and return None


async def serving(kv: KeyValue, ticker: str) -> tuple[str, int] | None:
    """The version serving ``ticker`` and its revision, e.g. ``("lstm-v3", 7)``.

    Return None when no model serves the ticker: it was never deployed, or its entry was
    deleted or purged (``kv.get`` raises ``KeyNotFoundError`` for all three). The value is
    bytes in the bucket: return it as a ``str``.
    """
    entry = await kv.get(ticker)
    return entry.value.decode(), entry.revision

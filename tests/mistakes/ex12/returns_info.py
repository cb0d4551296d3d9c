# mistake: store_artefact returns the whole ObjectInfo instead of its digest
# expect: expected its digest (a str)


async def store_artefact(
    js: JetStreamContext, name: str, data: bytes, *, chunk_size: int = CHUNK_SIZE
) -> str:
    """Upload ``data`` as object ``name`` into bucket ``BUCKET``; return its digest.

    * Create the bucket if it does not exist yet (``js.create_object_store(BUCKET)`` creates
      it, or returns the one there is).
    * Store the bytes in chunks of at most ``chunk_size`` bytes: pass
      ``meta=ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk_size))``
      to ``put``. An object already stored under ``name`` is replaced.
    * Return the digest the store recorded, ``ObjectInfo.digest`` (``"SHA-256=..."``).
    """
    store = await js.create_object_store(BUCKET)
    meta = ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk_size))
    info = await store.put(name, data, meta=meta)
    return info

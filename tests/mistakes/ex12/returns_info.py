# mistake: store_artefact returns the whole ObjectInfo instead of its digest
# expect: expected its digest (a str)


async def store_artefact(
    js: JetStreamContext, name: str, data: bytes, *, chunk_size: int = CHUNK_SIZE
) -> str:
    store = await js.create_object_store(BUCKET)
    meta = ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk_size))
    info = await store.put(name, data, meta=meta)
    return info

# mistake: store_artefact never passes chunk_size, so nats-py's 128 KiB chunks are used
# expect: expected 5 chunks of at most 65536 bytes


async def store_artefact(
    js: JetStreamContext, name: str, data: bytes, *, chunk_size: int = CHUNK_SIZE
) -> str:
    store = await js.create_object_store(BUCKET)
    info = await store.put(name, data)
    return info.digest

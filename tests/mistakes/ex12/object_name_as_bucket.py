# mistake: the object's name is used as the bucket's name (create_object_store(name)), so the
#   bucket is called after a file name with a dot in it
# expect: InvalidBucketNameError: that is not a valid bucket name
# expect: pass that to create_object_store/object_store


async def store_artefact(
    js: JetStreamContext, name: str, data: bytes, *, chunk_size: int = CHUNK_SIZE
) -> str:
    store = await js.create_object_store(name)
    meta = ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk_size))
    info = await store.put(name, data, meta=meta)
    return info.digest


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    store = await js.object_store(name)
    try:
        result = await store.get(name)
    except ObjectNotFoundError:  # never stored, or deleted: nats-py cannot tell you which
        return None
    # nats-py checked the chunks against the object's own digest; this checks that the
    # object is the artefact we were told to expect.
    found = sha256_digest(result.data)
    if found != digest:
        raise ArtefactMismatch(f"{name}: expected {digest}, the bucket holds {found}")
    return result.data

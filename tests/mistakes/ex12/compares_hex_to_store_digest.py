# mistake: fetch_artefact compares a hex digest with the store's notation, so it refuses every file
# expect: compare it with sha256_digest(result.data), not with hexdigest()


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    store = await js.object_store(BUCKET)
    try:
        result = await store.get(name)
    except ObjectNotFoundError:  # never stored, or deleted: nats-py cannot tell you which
        return None
    # nats-py checked the chunks against the object's own digest; this checks that the
    # object is the artefact we were told to expect.
    found = hashlib.sha256(result.data).hexdigest()
    if found != digest:
        raise ArtefactMismatch(f"{name}: expected {digest}, the bucket holds {found}")
    return result.data

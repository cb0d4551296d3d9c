# mistake: fetch_artefact creates the bucket, so a missing bucket looks like a missing model
# expect: a fetch must not create it


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    store = await js.create_object_store(BUCKET)
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

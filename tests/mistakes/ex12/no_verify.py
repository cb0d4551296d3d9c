# mistake: fetch_artefact trusts nats-py's own digest check and returns whatever is stored
# expect: verify before returning


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    store = await js.object_store(BUCKET)
    try:
        result = await store.get(name)  # nats-py checks the digest for me... of the file stored now
    except ObjectNotFoundError:
        return None
    return result.data

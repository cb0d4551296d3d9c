# mistake: fetch_artefact lets ObjectNotFoundError escape for a retired model
# expect: ObjectNotFoundError
# expect: catch exactly that and return None


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    store = await js.object_store(BUCKET)
    result = await store.get(name)
    if sha256_digest(result.data) != digest:
        raise ArtefactMismatch(name)
    return result.data

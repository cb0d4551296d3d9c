# mistake: fetch_artefact catches NotFoundError, which a missing bucket's error is too
# expect: a missing bucket is a broken deployment

from nats.js.errors import NotFoundError


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    try:
        store = await js.object_store(BUCKET)
        result = await store.get(name)
    except NotFoundError:
        return None
    if sha256_digest(result.data) != digest:
        raise ArtefactMismatch(name)
    return result.data

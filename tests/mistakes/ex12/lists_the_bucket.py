# mistake: fetch_artefact lists every object in the bucket to find the one it wants
# expect: read the whole bucket's index

from nats.js.errors import NotFoundError


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    store = await js.object_store(BUCKET)
    try:
        infos = await store.list(ignore_deletes=True)
    except NotFoundError:  # list() raises this for an empty bucket
        return None
    if name not in [info.name for info in infos]:
        return None
    result = await store.get(name)
    if sha256_digest(result.data) != digest:
        raise ArtefactMismatch(name)
    return result.data

# mistake: fetch_artefact catches every exception: a mismatch, a missing bucket read as "no model"
# expect: catching every exception
# expect: returned None


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    try:
        store = await js.object_store(BUCKET)
        result = await store.get(name)
        if sha256_digest(result.data) != digest:
            raise ArtefactMismatch(name)
        return result.data
    except Exception:  # anything wrong: no model
        return None

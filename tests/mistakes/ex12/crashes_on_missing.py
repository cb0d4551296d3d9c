# mistake: fetch_artefact lets ObjectNotFoundError escape for a retired model
# expect: ObjectNotFoundError
# expect: catch exactly that and return None


async def fetch_artefact(js: JetStreamContext, name: str, digest: str) -> bytes | None:
    """The bytes of object ``name`` in bucket ``BUCKET``, if they are the artefact ``digest``.

    * The bucket must exist: do not create it here (``js.object_store(BUCKET)``). A missing
      bucket is a broken deployment, not a missing model: let ``BucketNotFoundError`` (and
      any other error) propagate.
    * No object called ``name`` — never stored, or deleted — is a normal answer: return
      ``None``. nats-py raises ``ObjectNotFoundError`` for both; catch exactly that (a
      missing bucket's ``BucketNotFoundError`` is a ``NotFoundError`` too).
    * Verify before returning: if the bytes' digest is not ``digest`` (another file was
      uploaded under the name), raise ``ArtefactMismatch``, saying both digests.
    * Fetch just this object by its name (``get``): do not list or watch the whole bucket
      to find it.
    """
    store = await js.object_store(BUCKET)
    result = await store.get(name)
    if sha256_digest(result.data) != digest:
        raise ArtefactMismatch(name)
    return result.data

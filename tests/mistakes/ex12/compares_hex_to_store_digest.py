# mistake: fetch_artefact compares a hex digest with the store's notation, so it refuses every file
# expect: compare it with sha256_digest(result.data), not with hexdigest()


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

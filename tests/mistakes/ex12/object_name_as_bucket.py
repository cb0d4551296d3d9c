# mistake: the object's name is used as the bucket's name (create_object_store(name)), so the
#   bucket is called after a file name with a dot in it
# expect: InvalidBucketNameError: that is not a valid bucket name
# expect: pass that to create_object_store/object_store


async def store_artefact(
    js: JetStreamContext, name: str, data: bytes, *, chunk_size: int = CHUNK_SIZE
) -> str:
    """Upload ``data`` as object ``name`` into bucket ``BUCKET``; return its digest.

    * Create the bucket if it does not exist yet (``js.create_object_store(BUCKET)`` creates
      it, or returns the one there is).
    * Store the bytes in chunks of at most ``chunk_size`` bytes: pass
      ``meta=ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk_size))``
      to ``put``. An object already stored under ``name`` is replaced.
    * Return the digest the store recorded, ``ObjectInfo.digest`` (``"SHA-256=..."``).
    """
    store = await js.create_object_store(name)
    meta = ObjectMeta(name=name, options=ObjectMetaOptions(max_chunk_size=chunk_size))
    info = await store.put(name, data, meta=meta)
    return info.digest


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

# mistake: the object's name is used as the bucket's name (create_object_store(name)), so the
#   bucket is called after a file name with a dot in it
# expect: InvalidBucketNameError: that is not a valid bucket name
# expect: pass that to create_object_store/object_store

"""Exercise 12 · Model artefacts: store a model file, fetch it back verified by its digest.

A trained model is a file of a few megabytes: too big for one message, so the trading
project keeps it in an Object Store bucket, ``models``. The registry (exercise 11) says
which version serves a ticker; the deploy record keeps the artefact's SHA-256 digest, so a
predictor can refuse a file that is not the one that was tested. Someone may upload another
file under the same name; a model may be retired (deleted) while a predictor still asks
for it.

Write ``sha256_digest`` (the digest in the store's own notation), ``store_artefact``
(upload in chunks) and ``fetch_artefact`` (download, verify, and report a missing object
with ``None`` instead of crashing).

Notebook 12 shows every piece: ``create_object_store``, ``put`` with ``ObjectMeta``
options, ``get``, ``ObjectInfo.digest``, ``ObjectNotFoundError`` and ``BucketNotFoundError``.
Check your work: ``gym.check("ex12")`` in the notebook, or ``gym check ex12`` in a terminal.
"""

from __future__ import annotations

import base64
import hashlib

from nats.js import JetStreamContext
from nats.js.api import ObjectMeta, ObjectMetaOptions
from nats.js.errors import ObjectNotFoundError

BUCKET = "models"
"""The Object Store bucket that holds the project's model files."""

CHUNK_SIZE = 128 * 1024
"""Bytes per chunk unless the caller asks for another size (nats-py's default too)."""


class ArtefactMismatch(Exception):
    """The object under that name is not the artefact expected: its digest differs."""


def sha256_digest(data: bytes) -> str:
    """The SHA-256 digest of ``data``, written the way the object store writes it.

    That is ``"SHA-256="`` followed by the 32-byte digest in URL-safe base64, with its
    ``=`` padding: the same text as ``ObjectInfo.digest`` of an object holding ``data``.
    (Not ``hexdigest()``, and not standard base64, which writes ``+`` and ``/`` where the
    URL-safe alphabet has ``-`` and ``_``.)
    """
    digest = hashlib.sha256(data).digest()
    return "SHA-256=" + base64.urlsafe_b64encode(digest).decode()


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

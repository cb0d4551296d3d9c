# mistake: the digest is written as hex, not in the store's notation
# expect: that is hexdigest()


def sha256_digest(data: bytes) -> str:
    """The SHA-256 digest of ``data``, written the way the object store writes it.

    That is ``"SHA-256="`` followed by the 32-byte digest in URL-safe base64, with its
    ``=`` padding: the same text as ``ObjectInfo.digest`` of an object holding ``data``.
    (Not ``hexdigest()``, and not standard base64, which writes ``+`` and ``/`` where the
    URL-safe alphabet has ``-`` and ``_``.)
    """
    return hashlib.sha256(data).hexdigest()

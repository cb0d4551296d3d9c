# mistake: the digest is written as hex, not in the store's notation
# expect: that is hexdigest()


def sha256_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

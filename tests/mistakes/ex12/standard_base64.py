# mistake: the digest uses standard base64 ('+' and '/'), not the URL-safe alphabet
# expect: standard base64


def sha256_digest(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "SHA-256=" + base64.b64encode(digest).decode()

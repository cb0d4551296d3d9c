"""Asks for far more memory than it should ever need (8 GiB at once)."""


async def run(nc) -> int:
    hoard = bytearray(8 << 30)
    return len(hoard)

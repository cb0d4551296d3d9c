"""A learner whose code raises."""


def double(n: int) -> int:
    """Twice n."""
    return {"n": n}["m"] * 2


async def echo(nc, subject: str, data: bytes) -> None:
    """Publish data and flush."""
    await nc.publish(subject, data.decode())

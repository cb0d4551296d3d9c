"""A learner who got it right."""


def double(n: int) -> int:
    """Twice n."""
    return n * 2


async def echo(nc, subject: str, data: bytes) -> None:
    """Publish data and flush."""
    await nc.publish(subject, data)
    await nc.flush()

"""A learner who returns the wrong thing."""


def double(n: int) -> int:
    """Twice n."""
    str(n * 2)


async def echo(nc, subject: str, data: bytes) -> None:
    """Publish data and flush."""
    await nc.publish(subject + ".typo", data)

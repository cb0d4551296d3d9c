"""A learner who has not started."""


def double(n: int) -> int:
    """Twice n."""
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


async def echo(nc, subject: str, data: bytes) -> None:
    """Publish data and flush."""
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError

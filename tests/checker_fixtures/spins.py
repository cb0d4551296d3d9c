"""A loop whose counter moves only inside an if: it never ends, and never awaits."""


async def run(nc) -> int:
    i = 0
    while i < 10:
        if i > 5:
            i += 1
    return 42

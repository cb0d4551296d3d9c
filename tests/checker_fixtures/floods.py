"""Prints without end."""


async def run(nc) -> int:
    while True:
        print("tick")

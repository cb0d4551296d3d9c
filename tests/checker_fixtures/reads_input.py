"""Waits for keyboard input that a check can never give."""


async def run(nc) -> int:
    return int(input("number? "))

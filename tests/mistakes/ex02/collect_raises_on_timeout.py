# mistake: collect lets next_msg's timeout escape when fewer than count messages came
# expect: collect() raised TimeoutError
# expect: catch nats.errors.TimeoutError around next_msg


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    deadline = asyncio.get_running_loop().time() + timeout
    payloads: list[bytes] = []
    try:
        while len(payloads) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            msg = await sub.next_msg(timeout=max(remaining, 0.001))
            payloads.append(msg.data)
    finally:
        await sub.unsubscribe()
    return payloads

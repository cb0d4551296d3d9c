# mistake: collect returns without unsubscribing
# expect: but the server still lists its subscription to predictions.normal.AAPL
# expect: finally:


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    deadline = asyncio.get_running_loop().time() + timeout
    payloads: list[bytes] = []
    while len(payloads) < count:
        remaining = deadline - asyncio.get_running_loop().time()
        try:
            msg = await sub.next_msg(timeout=max(remaining, 0.001))
        except NatsTimeoutError:
            break
        payloads.append(msg.data)
    return payloads

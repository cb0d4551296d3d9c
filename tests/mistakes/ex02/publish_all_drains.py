# mistake: publish_all closes the caller's connection to be sure everything went out
# expect: publish_all closed (or drained) the connection it was given
# expect: do not close or drain it


async def publish_all(nc: Client, subject: str, payloads: Iterable[bytes]) -> int:
    count = 0
    for payload in payloads:
        await nc.publish(subject, payload)
        count += 1
    await nc.drain()  # sends everything, then closes
    return count


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    deadline = asyncio.get_running_loop().time() + timeout
    payloads: list[bytes] = []
    try:
        while len(payloads) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            try:
                msg = await sub.next_msg(timeout=remaining)
            except NatsTimeoutError:
                break
            payloads.append(msg.data)
    finally:
        await sub.unsubscribe()
    return payloads

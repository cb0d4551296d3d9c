# mistake: publish_all returns without flushing, so the messages are still in nats-py's buffer
# expect: bytes were still waiting in nats-py's outgoing buffer
# expect: await nc.flush()


async def publish_all(nc: Client, subject: str, payloads: Iterable[bytes]) -> int:
    count = 0
    for payload in payloads:
        await nc.publish(subject, payload)
        count += 1
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

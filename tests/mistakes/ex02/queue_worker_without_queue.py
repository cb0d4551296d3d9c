# mistake: queue_worker subscribes without queue=, so every worker gets every message
# expect: they are separate subscribers, not members of one queue group
# expect: Pass queue=queue


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


async def queue_worker(nc: Client, subject: str, queue: str, handled: list[bytes]) -> Subscription:
    async def handle(msg: Msg) -> None:
        handled.append(msg.data)

    return await nc.subscribe(subject, cb=handle)

# mistake: collect gives every next_msg a fresh timeout instead of one deadline for the call
# expect: the timeout is for the whole call, not for each message
# expect: Compute a deadline once


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    payloads: list[bytes] = []
    try:
        while len(payloads) < count:
            try:
                msg = await sub.next_msg(timeout=timeout)
            except NatsTimeoutError:
                break
            payloads.append(msg.data)
    finally:
        await sub.unsubscribe()
    return payloads

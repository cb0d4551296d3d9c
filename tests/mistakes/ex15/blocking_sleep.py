# mistake: waits between attempts with time.sleep: the whole event loop stops, acks included
# expect: blocks the event loop
# expect: await asyncio.sleep(seconds)

import time


async def publish_all(
    js: JetStreamContext,
    subject: str,
    payloads: list[bytes],
    *,
    prefix: str,
    timeout: float = 0.5,
    backoff: float = 0.05,
    max_backoff: float = 0.5,
    give_up_after: float = 30.0,
) -> list[PubAck]:
    loop = asyncio.get_running_loop()
    acks: list[PubAck] = []
    for index, payload in enumerate(payloads):
        headers = {Header.MSG_ID: f"{prefix}-{index}"}  # one id per message, every attempt
        give_up_at = loop.time() + give_up_after
        wait = backoff
        while True:
            try:
                acks.append(await js.publish(subject, payload, timeout=timeout, headers=headers))
                break
            except RETRYABLE:
                if loop.time() >= give_up_at:
                    raise  # out of time: the caller sees what went wrong last
            # Growing, so a long election is not hammered ~100 times a second; capped, so
            # the first attempt after the election comes at most max_backoff late.
            time.sleep(min(wait, max(0.0, give_up_at - loop.time())))
            wait = min(wait * 2, max_backoff)
    return acks

# mistake: collect waits with time.sleep(timeout), then takes what is queued
# expect: time.sleep(1.0) blocks the event loop
# expect: never time.sleep

import time


async def collect(nc: Client, subject: str, count: int, timeout: float) -> list[bytes]:
    sub = await nc.subscribe(subject)
    time.sleep(timeout)  # give the messages time to arrive
    payloads: list[bytes] = []
    while len(payloads) < count and sub.pending_msgs:
        payloads.append((await sub.next_msg()).data)
    await sub.unsubscribe()
    return payloads

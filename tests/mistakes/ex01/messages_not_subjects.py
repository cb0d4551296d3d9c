# mistake: deliveries returns the messages themselves instead of their subjects
# expect: returned a list of messages
# expect: msg.subject


async def deliveries(nc: Client, pattern: str, subjects: list[str]) -> list[str]:
    sub = await nc.subscribe(pattern)
    try:
        for subject in subjects:
            await nc.publish(subject, b"probe")
        # The server routes our own publishes back to us before it answers the second
        # PING, so from here on every delivery is waiting in sub's queue.
        await wait_until_processed(nc)
        return [await sub.next_msg(timeout=1) for _ in range(sub.pending_msgs)]
    finally:
        await sub.unsubscribe()

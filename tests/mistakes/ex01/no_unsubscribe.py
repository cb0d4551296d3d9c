# mistake: deliveries never unsubscribes, so every call leaves a subscription behind
# expect: left its subscription on the server
# expect: await sub.unsubscribe()


async def deliveries(nc: Client, pattern: str, subjects: list[str]) -> list[str]:
    sub = await nc.subscribe(pattern)
    for subject in subjects:
        await nc.publish(subject, b"probe")
    await wait_until_processed(nc)
    return [(await sub.next_msg(timeout=1)).subject for _ in range(sub.pending_msgs)]

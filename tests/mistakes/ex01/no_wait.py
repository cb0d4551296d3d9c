# mistake: deliveries looks at the subscription right after publishing, before the server
#   has even seen the messages, so nothing has arrived yet
# expect: before you look, make sure the server has handled your publishes

from gym.delivery import wait_until_processed  # noqa: F401 - imported, never called


async def deliveries(nc: Client, pattern: str, subjects: list[str]) -> list[str]:
    sub = await nc.subscribe(pattern)
    try:
        for subject in subjects:
            await nc.publish(subject, b"probe")
        # The server routes our own publishes back to us before it answers the second
        # PING, so from here on every delivery is waiting in sub's queue.
        return [(await sub.next_msg(timeout=1)).subject for _ in range(sub.pending_msgs)]
    finally:
        await sub.unsubscribe()

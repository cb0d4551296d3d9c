# mistake: deliveries looks at the subscription right after publishing, before the server
#   has even seen the messages, so nothing has arrived yet
# expect: before you look, make sure the server has handled your publishes

from gym.delivery import wait_until_processed  # noqa: F401 - imported, never called


async def deliveries(nc: Client, pattern: str, subjects: list[str]) -> list[str]:
    """Subscribe to ``pattern``, publish one message to each of ``subjects``, and return the
    subjects of the messages the subscription received, in the order they arrived.

    * ``sub = await nc.subscribe(pattern)`` without a callback: messages wait in ``sub``.
    * Publish one message (any payload) to each subject, in the order given.
    * ``nc.publish`` only queues a message inside nats-py. Before you look, make sure the
      server has handled every publish: ``await wait_until_processed(nc)`` (two flushes;
      notebook 02 shows why one is not always enough). Then every delivery is waiting.
    * Take them: ``sub.pending_msgs`` says how many, ``await sub.next_msg()`` takes one.
    * Unsubscribe before returning, however the function ends (``finally:``): a forgotten
      subscription keeps receiving, and buffering, every matching message.
    """
    sub = await nc.subscribe(pattern)
    try:
        for subject in subjects:
            await nc.publish(subject, b"probe")
        # The server routes our own publishes back to us before it answers the second
        # PING, so from here on every delivery is waiting in sub's queue.
        return [(await sub.next_msg(timeout=1)).subject for _ in range(sub.pending_msgs)]
    finally:
        await sub.unsubscribe()

# mistake: deliveries never unsubscribes, so every call leaves a subscription behind
# expect: left its subscription on the server
# expect: await sub.unsubscribe()


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
    for subject in subjects:
        await nc.publish(subject, b"probe")
    await wait_until_processed(nc)
    return [(await sub.next_msg(timeout=1)).subject for _ in range(sub.pending_msgs)]

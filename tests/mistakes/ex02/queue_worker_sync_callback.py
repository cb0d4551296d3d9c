# mistake: queue_worker's callback is a plain def, but nats-py awaits its callbacks
# expect: must use coroutine for subscriptions
# expect: it must be written `async def handle(msg):`


async def queue_worker(nc: Client, subject: str, queue: str, handled: list[bytes]) -> Subscription:

    def handle(msg: Msg) -> None:
        handled.append(msg.data)

    # queue= makes this subscription a member of the group instead of one more listener.
    return await nc.subscribe(subject, queue=queue, cb=handle)

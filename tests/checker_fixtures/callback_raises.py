"""A subscription callback that raises: nats-py hands the error to error_cb, not to run()."""


async def run(nc) -> int:
    async def on_message(msg):
        raise KeyError("price")

    sub = await nc.subscribe("quotes", cb=on_message)
    for _ in range(5):
        await nc.publish("quotes", b"{}")
    await nc.flush()
    await sub.drain()
    return 42

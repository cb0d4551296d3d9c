# mistake: every failure is nak'd, the poison message too, so it is redelivered forever
# expect: nak'd the poison message
# expect: msg.term()


async def handle(
    msg: Msg, process: Callable[[bytes], object], *, retry_delay: float = RETRY_DELAY
) -> str:
    try:
        process(msg.data)
    except Exception:
        await msg.nak(delay=retry_delay)  # "it will be redelivered"
        return "nak"
    await msg.ack()
    return "ack"


async def work_batch(
    psub: JetStreamContext.PullSubscription,
    process: Callable[[bytes], object],
    *,
    batch: int = 10,
    timeout: float = 1.0,
    retry_delay: float = RETRY_DELAY,
) -> dict[str, int]:
    try:
        messages = await psub.fetch(batch, timeout=timeout)
    except TimeoutError:
        return {}
    outcomes = Counter()
    for msg in messages:
        outcomes[await handle(msg, process, retry_delay=retry_delay)] += 1
    return dict(outcomes)

# mistake: acks before processing, so a failure can no longer be retried
# expect: answered the message before process() ran


async def handle(
    msg: Msg, process: Callable[[bytes], object], *, retry_delay: float = RETRY_DELAY
) -> str:
    await msg.ack()  # done with the delivery; now do the work
    try:
        process(msg.data)
    except PoisonError:
        return "term"
    except Exception:
        return "nak"
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

# mistake: work_batch does not catch the timeout of an empty fetch
# expect: an empty fetch raises a timeout


async def work_batch(
    psub: JetStreamContext.PullSubscription,
    process: Callable[[bytes], object],
    *,
    batch: int = 10,
    timeout: float = 1.0,
    retry_delay: float = RETRY_DELAY,
) -> dict[str, int]:
    messages = await psub.fetch(batch, timeout=timeout)
    outcomes = Counter()
    for msg in messages:
        outcomes[await handle(msg, process, retry_delay=retry_delay)] += 1
    return dict(outcomes)

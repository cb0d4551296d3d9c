# mistake: work_batch calls handle without its retry_delay, so handle naks with its default
# expect: a delay of 0.5 s, expected retry_delay=0.1 s
# expect: pass it on


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
        outcomes[await handle(msg, process)] += 1
    return dict(outcomes)

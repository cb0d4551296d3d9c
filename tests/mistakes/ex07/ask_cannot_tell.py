# mistake: ask treats 'no responders' as one more timeout
# expect: returned ('timeout', None), expected ('no responders', None)
# expect: NoRespondersError is not a TimeoutError


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except (nats.errors.NoRespondersError, nats.errors.TimeoutError):  # no answer either way
        return TIMEOUT, None
    return ANSWERED, messages.decode(reply.data)

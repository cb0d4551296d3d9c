# mistake: ask catches TimeoutError only, so 'no responders' escapes as an exception
# expect: ask() raised NoRespondersError
# expect: catch nats.errors.NoRespondersError (it is not a TimeoutError)


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except TimeoutError:
        return TIMEOUT, None
    return ANSWERED, messages.decode(reply.data)

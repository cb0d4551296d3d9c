# mistake: ask never passes its timeout on, so nc.request waits its own default
# expect: the timeout was 0.1 s
# expect: Pass the timeout argument on


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    try:
        reply = await nc.request(subject, ticker.encode())
    except nats.errors.NoRespondersError:
        return NO_RESPONDERS, None
    except nats.errors.TimeoutError:
        return TIMEOUT, None
    return ANSWERED, messages.decode(reply.data)

# mistake: ask returns the reply's payload bytes as they came, without decoding the envelope
# expect: is the reply's raw payload (bytes
# expect: expected the envelope decoded into a dict
# expect: messages.decode(reply.data)


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except nats.errors.NoRespondersError:  # the server said so at once
        return NO_RESPONDERS, None
    except nats.errors.TimeoutError:  # someone listens, but was too slow
        return TIMEOUT, None
    return ANSWERED, reply.data

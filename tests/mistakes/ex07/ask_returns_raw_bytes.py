# mistake: ask returns the reply's payload bytes as they came, without decoding the envelope
# expect: is the reply's raw payload (bytes
# expect: expected the envelope decoded into a dict
# expect: messages.decode(reply.data)


async def ask(
    nc: Client, subject: str, ticker: str, timeout: float = 1.0
) -> tuple[str, dict[str, Any] | None]:
    """Request an explanation of ``ticker`` on ``subject``; say what happened.

    Return one of:

    * ``(ANSWERED, envelope)`` — the decoded explanation envelope (``messages.decode``);
    * ``(NO_RESPONDERS, None)`` — nobody listens on ``subject``: return at once, do not
      wait for the timeout;
    * ``(TIMEOUT, None)`` — someone got the request but did not answer within ``timeout``
      seconds.

    Neither of the last two cases may raise.
    """
    try:
        reply = await nc.request(subject, ticker.encode(), timeout=timeout)
    except nats.errors.NoRespondersError:  # the server said so at once
        return NO_RESPONDERS, None
    except nats.errors.TimeoutError:  # someone listens, but was too slow
        return TIMEOUT, None
    return ANSWERED, reply.data

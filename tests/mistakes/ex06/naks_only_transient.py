# mistake: handle catches TransientError only, so an unexpected error from process escapes
#   unsettled
# expect: handle() raised KeyError
# expect: catch `Exception` after PoisonError and nak it with the delay


async def handle(
    msg: Msg, process: Callable[[bytes], object], *, retry_delay: float = RETRY_DELAY
) -> str:
    """Process one message with ``process(msg.data)`` and settle it with the server.

    * ``process`` returns normally -> acknowledge the message; return ``"ack"``.
    * ``process`` raises ``PoisonError`` -> terminate the message (no redelivery, ever);
      return ``"term"``.
    * ``process`` raises ``TransientError`` or any other exception -> negatively
      acknowledge it so the server redelivers it after ``retry_delay`` seconds;
      return ``"nak"``. (An unexpected error is retried too: the consumer's
      ``max_deliver`` bounds how often.)

    Settle each message exactly once, and call ``process`` exactly once per call.
    """
    try:
        process(msg.data)
    except PoisonError:
        await msg.term()  # +TERM: the server gives up on it now and says so in an advisory
        return "term"
    except TransientError:
        await msg.nak(delay=retry_delay)  # -NAK {"delay": ns}: come back later, not now
        return "nak"
    await msg.ack()
    return "ack"

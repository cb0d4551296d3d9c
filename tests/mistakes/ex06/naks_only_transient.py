# mistake: handle catches TransientError only, so an unexpected error from process escapes
#   unsettled
# expect: handle() raised KeyError
# expect: catch `Exception` after PoisonError and nak it with the delay


async def handle(
    msg: Msg, process: Callable[[bytes], object], *, retry_delay: float = RETRY_DELAY
) -> str:
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

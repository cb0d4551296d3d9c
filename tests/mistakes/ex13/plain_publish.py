# mistake: read, change, then a plain publish: a write made in between is overwritten
# expect: update was lost
# expect: Nats-Expected-Last-Subject-Sequence


async def update_state(
    js: JetStreamContext,
    ticker: str,
    change: Callable[[State | None], State],
    *,
    attempts: int = 10,
) -> tuple[State, int]:
    state, _ = await read_state(js, ticker)
    new_state = change(state)
    ack = await js.publish(SUBJECT.format(ticker=ticker), json.dumps(new_state).encode())
    return new_state, ack.seq

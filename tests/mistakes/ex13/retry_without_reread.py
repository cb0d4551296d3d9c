# mistake: on a refusal the same publish is sent again, with the same stale sequence
# expect: never read the state again


async def update_state(
    js: JetStreamContext,
    ticker: str,
    change: Callable[[State | None], State],
    *,
    attempts: int = 10,
) -> tuple[State, int]:
    state, seq = await read_state(js, ticker)
    new_state = change(state)
    for attempt in range(1, attempts + 1):
        try:
            ack = await js.publish(
                SUBJECT.format(ticker=ticker),
                json.dumps(new_state).encode(),
                headers={"Nats-Expected-Last-Subject-Sequence": str(seq)},
            )
        except APIError:
            if attempt == attempts:
                raise
            continue
        return new_state, ack.seq
    raise ValueError("attempts must be at least 1")

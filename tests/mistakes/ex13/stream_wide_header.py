# mistake: Nats-Expected-Last-Sequence (the whole stream's last sequence) instead of the subject's
# expect: stream-wide


async def update_state(
    js: JetStreamContext,
    ticker: str,
    change: Callable[[State | None], State],
    *,
    attempts: int = 10,
) -> tuple[State, int]:
    for attempt in range(1, attempts + 1):
        state, seq = await read_state(js, ticker)
        new_state = change(state)
        try:
            ack = await js.publish(
                SUBJECT.format(ticker=ticker),
                json.dumps(new_state).encode(),
                headers={"Nats-Expected-Last-Sequence": str(seq)},
            )
        except APIError as error:
            if error.err_code != 10071 or attempt == attempts:
                raise
            continue
        return new_state, ack.seq
    raise ValueError("attempts must be at least 1")

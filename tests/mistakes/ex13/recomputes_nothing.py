# mistake: on a refusal the sequence is read again but the old new state is published again
# expect: update was lost


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
        except APIError as error:
            if error.err_code != 10071 or attempt == attempts:
                raise
            _, seq = await read_state(js, ticker)  # fresh sequence, stale content
            continue
        return new_state, ack.seq
    raise ValueError("attempts must be at least 1")

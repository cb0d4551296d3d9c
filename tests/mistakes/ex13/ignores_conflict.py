# mistake: the publish is conditional, but a refusal (10071) is swallowed instead of retried
# expect: refusal was not retried


async def update_state(
    js: JetStreamContext,
    ticker: str,
    change: Callable[[State | None], State],
    *,
    attempts: int = 10,
) -> tuple[State, int]:
    state, seq = await read_state(js, ticker)
    new_state = change(state)
    try:
        ack = await js.publish(
            SUBJECT.format(ticker=ticker),
            json.dumps(new_state).encode(),
            headers={"Nats-Expected-Last-Subject-Sequence": str(seq)},
        )
    except APIError as error:
        print("someone else updated", ticker, error.err_code)
        return new_state, seq
    return new_state, ack.seq

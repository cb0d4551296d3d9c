# mistake: every APIError is retried, not only 10071: a state the stream can never take is
#   computed and refused again and again
# expect: called change 5 times before raising the server's refusal
# expect: Retry only when `error.err_code == WRONG_LAST_SEQUENCE`


async def update_state(
    js: JetStreamContext,
    ticker: str,
    change: Callable[[State | None], State],
    *,
    attempts: int = 10,
) -> tuple[State, int]:
    subject = SUBJECT.format(ticker=ticker)
    for attempt in range(1, attempts + 1):
        state, seq = await read_state(js, ticker)  # read again on every attempt: that's the fix
        new_state = change(state)
        headers = {Header.EXPECTED_LAST_SUBJECT_SEQUENCE: str(seq)}
        try:
            ack = await js.publish(subject, json.dumps(new_state).encode(), headers=headers)
        except APIError:
            if attempt == attempts:
                raise
            continue  # someone else updated the ticker since we read it
        return new_state, ack.seq
    raise ValueError(f"attempts must be at least 1, got {attempts}")

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
    """Apply ``change`` to the ticker's current state and store the result; return
    ``(new_state, seq)``, ``seq`` being the stream sequence the new state was stored at.

    * Read the current state and its sequence (``read_state``); ``new_state = change(state)``
      (``change`` is a plain function; it gets ``None`` for a ticker with no state yet).
    * Publish ``new_state`` as JSON on the ticker's subject with the header
      ``Nats-Expected-Last-Subject-Sequence`` set to the sequence you read, as a string
      (``"0"`` when there was no state: create-only).
    * If the server refuses with err_code 10071 (``WRONG_LAST_SEQUENCE``: another writer got
      there first), read again and apply ``change`` to the fresh state; make at most
      ``attempts`` attempts, then raise the last error. Raise any other error at once.
    """
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

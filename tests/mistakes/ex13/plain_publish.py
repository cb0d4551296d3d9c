# mistake: read, change, then a plain publish: a write made in between is overwritten
# expect: update was lost
# expect: Nats-Expected-Last-Subject-Sequence

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

STREAM = "TICKER_STATE"
SUBJECT = "state.ticker.{ticker}"
State = dict[str, Any]


async def read_state(js: JetStreamContext, ticker: str) -> tuple[State | None, int]:
    try:
        msg = await js.get_last_msg(STREAM, SUBJECT.format(ticker=ticker))
    except NotFoundError:
        return None, 0
    return json.loads(msg.data), msg.seq


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

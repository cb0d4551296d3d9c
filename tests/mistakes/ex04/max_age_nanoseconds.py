# mistake: the tutorial's max_age in nanoseconds (nats-py multiplies by a billion again)
# expect: Go struct field StreamConfigRequest.max_age
# expect: max_age was given in nanoseconds and nats-py multiplied it by 1,000,000,000

"""A learner's ex04."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    Header,
    PubAck,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
)
from nats.js.errors import BadRequestError

DAY = 24 * 60 * 60


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        subjects=["market.data.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=7 * DAY * 1_000_000_000,  # 7 days in nanoseconds
        max_bytes=10 * 1024**3,
        max_msgs_per_subject=10_000,
        discard=DiscardPolicy.OLD,
        duplicate_window=5 * 60,
    )
    try:
        return await js.add_stream(config)
    except BadRequestError as error:
        if error.err_code != 10058:
            raise
        return await js.update_stream(config)


async def publish_bar(js: JetStreamContext, ticker: str, timestamp: str, bar: bytes) -> PubAck:
    headers = {Header.MSG_ID: f"{ticker}:{timestamp}"}
    return await js.publish(f"market.data.ohlcv.{ticker}", bar, headers=headers)

# mistake: the tutorial's "Retention: 7 days" written as retention=, with no max_age
# expect: can not unmarshal
# expect: retention= is a policy

from nats.js.api import (
    DiscardPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
)


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        subjects=["market.data.>"],
        retention=7 * DAY,  # "Retention: 7 days"
        storage=StorageType.FILE,
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

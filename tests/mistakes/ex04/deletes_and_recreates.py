# mistake: deletes MARKET_DATA and creates it again, losing the messages it held
# expect: the stream was deleted and created again

import contextlib

from nats.js.errors import NotFoundError


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        subjects=["market.data.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=7 * DAY,
        max_bytes=10 * 1024**3,
        max_msgs_per_subject=10_000,
        discard=DiscardPolicy.OLD,
        duplicate_window=5 * 60,
    )
    with contextlib.suppress(NotFoundError):
        await js.delete_stream("MARKET_DATA")  # start clean
    return await js.add_stream(config)

# mistake: add_stream only, so an existing MARKET_DATA with an older config is an error
# expect: err_code 10058
# expect: add_stream only creates


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
    return await js.add_stream(config)

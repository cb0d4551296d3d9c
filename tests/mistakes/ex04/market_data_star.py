# mistake: the tutorial's subject market.data.*, one token where the bars have two
# expect: the stream binds market.data.*, which matches exactly one token
# expect: bind market.data.> instead


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        subjects=["market.data.*"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=7 * DAY,
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

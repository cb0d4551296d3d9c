# mistake: the tutorial's max_age in nanoseconds (nats-py multiplies by a billion again)
# expect: Go struct field StreamConfigRequest.max_age
# expect: max_age was given in nanoseconds and nats-py multiplied it by 1,000,000,000


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

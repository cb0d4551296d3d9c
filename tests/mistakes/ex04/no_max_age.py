# mistake: retention=LIMITS taken to mean "kept 7 days", so max_age is left out
# expect: max_age is 0: the stream keeps messages forever
# expect: 'Retention: 7 days' in a spec means max_age


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        subjects=["market.data.>"],
        retention=RetentionPolicy.LIMITS,
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

# mistake: 10 GB as 10 * 1000**3 bytes where the spec says 10 GiB
# expect: max_bytes is 10,000,000,000 = 10 GB in powers of 1000; the spec says 10 GiB
# expect: GiB: 1024**3 bytes


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        subjects=["market.data.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=7 * DAY,
        max_bytes=10_000_000_000,  # 10 GB
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

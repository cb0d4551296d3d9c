# mistake: max_msgs=10_000 for the spec's '10,000 messages per ticker': it caps the whole
#   stream, not each subject
# expect: max_msgs is 10,000: that caps the whole stream
# expect: max_msgs_per_subject=10_000


async def create_market_data_stream(js: JetStreamContext) -> StreamInfo:
    config = StreamConfig(
        name="MARKET_DATA",
        description="Market data: OHLCV bars and news, per kind and ticker",
        # `>` matches one or more tokens: market.data.ohlcv.AAPL has two after market.data,
        # which `market.data.*` (exactly one token) would not capture.
        subjects=["market.data.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=7 * DAY,  # seconds; nats-py sends 604800000000000 ns to the server
        max_bytes=10 * GIB,
        max_msgs=10_000,
        discard=DiscardPolicy.OLD,
        duplicate_window=5 * 60,  # seconds
    )
    try:
        return await js.add_stream(config)
    except BadRequestError as error:
        # add_stream is idempotent for an identical config; a different one is error 10058.
        if error.err_code != STREAM_EXISTS_WITH_OTHER_CONFIG:
            raise
        return await js.update_stream(config)

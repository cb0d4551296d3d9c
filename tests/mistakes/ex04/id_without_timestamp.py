# mistake: the message id is the ticker alone, so a later bar counts as a repeat
# expect: two identical bars and one later bar left 1 message(s) in the stream


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
    try:
        return await js.add_stream(config)
    except BadRequestError as error:
        if error.err_code != 10058:
            raise
        return await js.update_stream(config)


async def publish_bar(js: JetStreamContext, ticker: str, timestamp: str, bar: bytes) -> PubAck:
    headers = {Header.MSG_ID: ticker}
    return await js.publish(f"market.data.ohlcv.{ticker}", bar, headers=headers)

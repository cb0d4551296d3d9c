# mistake: mixes up num_pending (not delivered yet) and num_ack_pending (delivered, not acked)
# expect: ['PREDICTIONS/auditor']['pending'] is 5, expected 7


async def consumer_backlog(monitor_url: str) -> dict[str, dict[str, int]]:
    reply = await monitor.jsz(monitor_url, consumers=1, config=1)
    backlog: dict[str, dict[str, int]] = {}
    for account in reply.get("account_details", []):
        for stream in account.get("stream_detail", []):
            # a stream with no consumers has no consumer_detail key at all
            for consumer in stream.get("consumer_detail") or []:
                backlog[f"{stream['name']}/{consumer['name']}"] = {
                    "pending": consumer["num_ack_pending"],
                    "ack_pending": consumer["num_pending"],
                    "max_ack_pending": consumer["config"].get("max_ack_pending", -1),
                }
    return backlog

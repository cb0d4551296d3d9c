# mistake: reads consumer_detail as if every stream had consumers
# expect: no consumer_detail key


async def consumer_backlog(monitor_url: str) -> dict[str, dict[str, int]]:
    reply = await monitor.jsz(monitor_url, consumers=1, config=1)
    backlog: dict[str, dict[str, int]] = {}
    for account in reply.get("account_details", []):
        for stream in account.get("stream_detail", []):
            for consumer in stream["consumer_detail"]:
                backlog[f"{stream['name']}/{consumer['name']}"] = {
                    "pending": consumer["num_pending"],
                    "ack_pending": consumer["num_ack_pending"],
                    "max_ack_pending": consumer["config"].get("max_ack_pending", -1),
                }
    return backlog

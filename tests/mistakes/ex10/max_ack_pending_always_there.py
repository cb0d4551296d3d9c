# mistake: reads config["max_ack_pending"] directly, so a consumer that acknowledges nothing
#   (an ordered consumer, a Key-Value watcher), which has none, raises KeyError
# expect: no key 'max_ack_pending'
# expect: .get('max_ack_pending', -1)


async def consumer_backlog(monitor_url: str) -> dict[str, dict[str, int]]:
    reply = await monitor.jsz(monitor_url, consumers=1, config=1)
    backlog: dict[str, dict[str, int]] = {}
    for account in reply.get("account_details", []):
        for stream in account.get("stream_detail", []):
            for consumer in stream.get("consumer_detail") or []:
                backlog[f"{stream['name']}/{consumer['name']}"] = {
                    "pending": consumer["num_pending"],
                    "ack_pending": consumer["num_ack_pending"],
                    "max_ack_pending": consumer["config"]["max_ack_pending"],
                }
    return backlog

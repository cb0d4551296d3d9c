# mistake: the summary forgets one of its four keys
# expect: returned a dict without 'jetstream'


async def server_summary(monitor_url: str) -> dict:
    health = await monitor.healthz(monitor_url)
    info = await monitor.varz(monitor_url)
    return {
        "healthy": health.get("status") == "ok",
        "version": info["version"],
        "connections": info["connections"],
    }

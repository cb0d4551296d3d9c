# mistake: the connection count is returned as a string
# expect: ['connections'] is the str '2', expected an int


async def server_summary(monitor_url: str) -> dict:
    health = await monitor.healthz(monitor_url)
    info = await monitor.varz(monitor_url)
    return {
        "healthy": health.get("status") == "ok",
        "version": info["version"],
        "connections": str(info["connections"]),
        # a server without JetStream has no "jetstream" config in /varz
        "jetstream": bool(info.get("jetstream", {}).get("config")),
    }

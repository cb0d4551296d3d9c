# mistake: reads total_connections (every client since the start) instead of connections
# expect: that is /varz 'total_connections', every client since the start, expected 2


async def server_summary(monitor_url: str) -> dict:
    health = await monitor.healthz(monitor_url)
    info = await monitor.varz(monitor_url)
    return {
        "healthy": health.get("status") == "ok",
        "version": info["version"],
        "connections": info["total_connections"],
        # a server without JetStream has no "jetstream" config in /varz
        "jetstream": bool(info.get("jetstream", {}).get("config")),
    }

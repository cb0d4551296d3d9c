# mistake: takes the mere presence of /varz's jetstream key for JetStream being on
# expect: without JetStream)['jetstream'] is True, expected False


async def server_summary(monitor_url: str) -> dict:
    health = await monitor.healthz(monitor_url)
    info = await monitor.varz(monitor_url)
    return {
        "healthy": health.get("status") == "ok",
        "version": info["version"],
        "connections": info["connections"],
        # a server without JetStream has no "jetstream" config in /varz
        "jetstream": "jetstream" in info,
    }

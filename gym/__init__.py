"""nats-gym: helpers for a hands-on NATS and JetStream course against a real server."""

from gym.session import ConnectError, Session, connect, current, start

__all__ = ["ConnectError", "Session", "connect", "current", "start"]

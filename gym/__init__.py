"""nats-gym: helpers for a hands-on NATS and JetStream course against a real server."""

from gym.checker import check, hint
from gym.session import ConnectError, Session, connect, current, start

__all__ = ["ConnectError", "Session", "check", "connect", "current", "hint", "start"]

# mistake: stuck when ack_pending >= max_ack_pending, without minding that -1 means no limit
# expect: max_ack_pending is -1, which means no limit
# expect: Only a positive max_ack_pending is a limit


def problems(backlog: dict[str, dict[str, int]], max_pending: int) -> dict[str, str]:
    """Return ``{"STREAM/consumer": "stuck" | "lagging"}`` for the consumers that need a look.

    A consumer is ``"stuck"`` when its ack-pending count has reached its max_ack_pending:
    the server gives it nothing more until it acknowledges (a max_ack_pending of -1 means
    no limit: that consumer is never stuck). Otherwise it is ``"lagging"``
    when more than ``max_pending`` messages wait to be delivered to it. Healthy consumers
    are left out.
    """
    report: dict[str, str] = {}
    for name, numbers in backlog.items():
        if numbers["ack_pending"] >= numbers["max_ack_pending"]:
            report[name] = "stuck"
        elif numbers["pending"] > max_pending:
            report[name] = "lagging"
    return report

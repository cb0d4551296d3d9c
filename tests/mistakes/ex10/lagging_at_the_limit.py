# mistake: lagging when pending reaches max_pending (>=), though the limit itself is fine
# expect: exactly max_pending is still within the limit


def problems(backlog: dict[str, dict[str, int]], max_pending: int) -> dict[str, str]:
    """Return ``{"STREAM/consumer": "stuck" | "lagging"}`` for the consumers that need a look.

    A consumer is ``"stuck"`` when its ack-pending count has reached its max_ack_pending:
    the server gives it nothing more until it acknowledges. Otherwise it is ``"lagging"``
    when more than ``max_pending`` messages wait to be delivered to it. Healthy consumers
    are left out.
    """
    report: dict[str, str] = {}
    for name, numbers in backlog.items():
        if numbers["ack_pending"] >= numbers["max_ack_pending"] > 0:
            report[name] = "stuck"
        elif numbers["pending"] >= max_pending:
            report[name] = "lagging"
    return report

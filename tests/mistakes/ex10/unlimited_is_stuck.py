# mistake: stuck when ack_pending >= max_ack_pending, without minding that -1 means no limit
# expect: max_ack_pending is -1, which means no limit
# expect: Only a positive max_ack_pending is a limit


def problems(backlog: dict[str, dict[str, int]], max_pending: int) -> dict[str, str]:
    report: dict[str, str] = {}
    for name, numbers in backlog.items():
        if numbers["ack_pending"] >= numbers["max_ack_pending"]:
            report[name] = "stuck"
        elif numbers["pending"] > max_pending:
            report[name] = "lagging"
    return report

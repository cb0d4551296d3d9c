# mistake: receivers lets '>' match zero tokens (>= instead of >), so predictions.> also receives
#   predictions itself
# expect: ['predictions'] never reached it
# expect: '>' matches one or more tokens, never zero


def receivers(pattern: str, subjects: list[str]) -> list[str]:
    wanted = pattern.split(".")
    if not pattern or "" in wanted:
        raise ValueError(f"pattern {pattern!r} has an empty token")
    if any(char.isspace() for char in pattern):
        raise ValueError(f"pattern {pattern!r} contains whitespace")
    if ">" in wanted[:-1]:
        raise ValueError(f"pattern {pattern!r}: '>' may only be the last token")

    tail = wanted[-1] == ">"
    fixed = wanted[:-1] if tail else wanted  # the tokens that must match one for one
    received = []
    for subject in subjects:
        given = subject.split(".")
        # '>' needs at least one token beyond the fixed part; '*' is exactly one token
        # (never zero, never two), so without '>' the lengths must be equal.
        right_length = len(given) >= len(fixed) if tail else len(given) == len(fixed)
        head = given[: len(fixed)]
        if right_length and all(w in ("*", g) for w, g in zip(fixed, head, strict=True)):
            received.append(subject)
    return received

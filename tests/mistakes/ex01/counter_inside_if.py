# mistake: receivers walks the subjects with a counter that only moves on a match, so the
#   first subject that does not match keeps the loop going for ever
# expect: did not finish within 2 s: receivers() was still running
# expect: an `i += 1` inside an `if` runs only sometimes


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
    i = 0
    while i < len(subjects):
        given = subjects[i].split(".")
        right_length = len(given) > len(fixed) if tail else len(given) == len(fixed)
        head = given[: len(fixed)]
        if right_length and all(w in ("*", g) for w, g in zip(fixed, head, strict=True)):
            received.append(subjects[i])
            i += 1
    return received

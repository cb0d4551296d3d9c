"""Learner output is kept per criterion and shown short: repeats once, tracebacks as one line."""

from __future__ import annotations

from gym.checker.capture import KEEP_CHARS, OutputCapture, shorten

LIBRARY_TRACEBACK = """nats: encountered error
Traceback (most recent call last):
  File "/site-packages/nats/aio/client.py", line 1576, in _select_next_server
    await self._connect_to_server(s)
ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 4222)
"""


def test_repeated_lines_and_tracebacks_are_said_once() -> None:
    assert shorten(LIBRARY_TRACEBACK * 3).splitlines() == [
        "nats: encountered error   (×3)",
        "[traceback] ConnectionRefusedError: [Errno 111] Connect call failed "
        "('127.0.0.1', 4222)   (×3)",
    ]


def test_long_output_is_cut_to_a_few_lines() -> None:
    shown = shorten("\n".join(f"line {n}" for n in range(100))).splitlines()
    assert shown[-1] == "... 92 more lines" and len(shown) == 9


def test_a_flood_costs_no_memory_and_says_how_much_was_dropped() -> None:
    capture = OutputCapture()
    stream = capture.stream(1)
    for _ in range(100_000):
        print("tick", file=stream)
    text = capture.take()
    assert text.splitlines()[0] == f"tick   (×{KEEP_CHARS // 5})"
    assert text.splitlines()[-1] == f"... and {500_000 - KEEP_CHARS} more characters"
    assert capture.take() == "", "take() starts a new bucket"

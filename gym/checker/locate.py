"""Find the learner's own file and line in a traceback, a thread's stack or a stuck task.

Every verdict points at the learner's code: an exception at the line that raised it, a
hang at the line it was waiting or spinning on, a wrong result at the function that
returned it. These helpers turn Python's frames into ``file, line N: code``.
"""

from __future__ import annotations

import asyncio
import inspect
import linecache
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = [
    "coroutine_frames",
    "function_location",
    "in_learner_file",
    "innermost_learner_frame",
    "task_frames",
    "where_in_traceback",
]


def in_learner_file(frame: FrameType, learner_file: Path) -> bool:
    return frame.f_code.co_filename == str(learner_file)


def _describe(learner_file: Path, lineno: int) -> str:
    code = linecache.getline(str(learner_file), lineno).strip()
    return f"{learner_file.name}, line {lineno}" + (f": {code}" if code else "")


def where_in_traceback(error: BaseException, learner_file: Path) -> str:
    """``file, line N: code`` of the deepest frame of ``error`` in the learner's file, or ``""``."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename == str(learner_file)
    ]
    if not frames or frames[-1].lineno is None:
        return ""
    return _describe(learner_file, frames[-1].lineno)


def function_in_traceback(error: BaseException, learner_file: Path) -> str:
    """The name of the deepest learner function in ``error``'s traceback, or ``""``."""
    names = [
        frame.name
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename == str(learner_file)
    ]
    return names[-1] if names else ""


def innermost_learner_frame(frames: list[FrameType], learner_file: Path) -> str:
    """``file, line N: code`` of the innermost learner frame of ``frames`` (outermost first)."""
    for frame in reversed(frames):
        if in_learner_file(frame, learner_file):
            return _describe(learner_file, frame.f_lineno)
    return ""


def stack_of(frame: FrameType | None) -> list[FrameType]:
    """A thread's frames from the outermost call to ``frame``."""
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames[::-1]


def coroutine_frames(awaitable: Any) -> Iterator[FrameType]:
    """The frames of a suspended coroutine and of everything it awaits, outermost first."""
    while awaitable is not None:
        frame = (
            getattr(awaitable, "cr_frame", None)
            or getattr(awaitable, "gi_frame", None)
            or getattr(awaitable, "ag_frame", None)
        )
        if frame is not None:
            yield frame
        awaitable = (
            getattr(awaitable, "cr_await", None)
            or getattr(awaitable, "gi_yieldfrom", None)
            or getattr(awaitable, "ag_await", None)
        )


def task_frames(loop: asyncio.AbstractEventLoop) -> Iterator[list[FrameType]]:
    """For each unfinished task of ``loop``, the frames it is suspended in."""
    for task in asyncio.all_tasks(loop):
        yield list(coroutine_frames(task.get_coro()))


def function_location(function: Callable[..., Any], learner_file: Path) -> str:
    """``file, line N (name)`` where a learner function is defined, or ``""``."""
    try:
        code = inspect.unwrap(function).__code__
    except AttributeError:
        return ""
    if code.co_filename != str(learner_file):
        return ""
    return f"{learner_file.name}, line {code.co_firstlineno} ({code.co_name})"

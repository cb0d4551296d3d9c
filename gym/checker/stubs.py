"""Exercise stubs are made from the solutions, so the two can never drift apart.

A stub keeps the solution's module text (docstring, imports, constants, classes) and
each top-level function's signature and docstring; the body becomes a ``# TODO`` and
``raise NotImplementedError``. ``gym reset`` writes it; a test checks every committed
stub equals what this makes.
"""

from __future__ import annotations

import ast

__all__ = ["make_stub", "TODO_LINE"]

TODO_LINE = "# TODO: write this function (its docstring says what it must do)."


def make_stub(solution_text: str) -> str:
    """The exercise file for a solution's source text."""
    tree = ast.parse(solution_text)
    lines = solution_text.splitlines(keepends=True)
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in reversed(functions):  # bottom-up keeps earlier line numbers valid
        first = function.body[0]
        has_docstring = (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        )
        start = first.end_lineno if has_docstring else first.lineno - 1
        indent = " " * first.col_offset
        body = [f"{indent}{TODO_LINE}\n", f"{indent}raise NotImplementedError\n"]
        lines[start : function.end_lineno] = body
    return "".join(lines)

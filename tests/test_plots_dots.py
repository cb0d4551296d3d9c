"""plots.dots: one row per name, a dot at each value, first name on top."""

from __future__ import annotations

from gym import plots


def test_dots_draws_one_row_per_name_with_a_dot_per_value() -> None:
    rows = {"predictions.normal.AAPL": [1, 4], "predictions.normal.MSFT": [2, 3, 5]}
    figure = plots.dots(rows, title="t", xlabel="stream sequence")
    (axes,) = figure.axes
    assert [label.get_text() for label in axes.get_yticklabels()] == list(rows)
    points = [tuple(xy) for collection in axes.collections for xy in collection.get_offsets()]
    assert sorted(points) == [(1, 0), (2, 1), (3, 1), (4, 0), (5, 1)]
    bottom, top = axes.get_ylim()
    assert top < bottom  # the first name is drawn on top

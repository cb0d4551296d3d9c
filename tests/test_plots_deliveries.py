"""gym.plots.deliveries: one row per label, one marker per delivery, a legend per outcome."""

from __future__ import annotations

from gym import plots


def test_deliveries_draws_one_marker_per_delivery_and_one_legend_entry_per_outcome() -> None:
    figure = plots.deliveries(
        {"AAPL": [(0.0, "nak"), (0.3, "ack")], "MSFT": [(0.0, "term")]}, title="t"
    )
    (axes,) = figure.axes
    assert [tick.get_text() for tick in axes.get_yticklabels()] == ["AAPL", "MSFT"]
    assert len(axes.collections) == 3
    assert sorted(t.get_text() for t in axes.get_legend().get_texts()) == ["ack", "nak", "term"]


def test_deliveries_without_events_has_no_legend() -> None:
    (axes,) = plots.deliveries({"AAPL": []}, title="t").axes
    assert axes.get_legend() is None

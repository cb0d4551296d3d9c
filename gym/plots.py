"""The matplotlib figures the notebooks show. Each returns its Figure, already drawn.

Shared by all notebooks: add a function at the end for a new kind of figure rather than
building figures inline, so every picture in the course looks alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

__all__ = ["bar", "deliveries", "dots", "failover", "histogram", "lines", "rates"]


def bar(counts: Mapping[str, float], *, title: str, xlabel: str = "", ylabel: str = "") -> Figure:
    """One bar per key, e.g. messages received per queue-group member."""
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.bar(list(map(str, counts)), list(counts.values()), color="#27aae1")
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    figure.tight_layout()
    plt.close(figure)
    return figure


def histogram(values: Sequence[float], *, title: str, xlabel: str, bins: int = 30) -> Figure:
    """The distribution of a measurement, e.g. end-to-end latency in milliseconds."""
    figure, axes = plt.subplots(figsize=(6, 3))
    axes.hist(values, bins=bins, color="#27aae1", edgecolor="white")
    axes.set(title=title, xlabel=xlabel, ylabel="count")
    figure.tight_layout()
    plt.close(figure)
    return figure


def lines(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
) -> Figure:
    """Several named series over the same x, e.g. pending versus acknowledged over time."""
    figure, axes = plt.subplots(figsize=(6, 3))
    for name, values in series.items():
        axes.plot(x, values, label=name)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    axes.legend()
    figure.tight_layout()
    plt.close(figure)
    return figure


def dots(rows: Mapping[str, Sequence[float]], *, title: str, xlabel: str) -> Figure:
    """One row of dots per name at its x values, e.g. a stream's sequence numbers per subject.

    Shows how values of one shared axis interleave between categories, which a bar of
    counts hides.
    """
    figure, axes = plt.subplots(figsize=(6, 1.0 + 0.5 * max(len(rows), 1)))
    for row, values in enumerate(rows.values()):
        axes.scatter(values, [row] * len(values), s=80, color="#27aae1", zorder=2)
        axes.axhline(row, color="#dddddd", linewidth=1, zorder=1)
    axes.set_yticks(range(len(rows)), list(map(str, rows)))
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first name on top, room around the dots
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set(title=title, xlabel=xlabel)
    figure.tight_layout()
    plt.close(figure)
    return figure


DELIVERY_STYLES: dict[str, tuple[str, str]] = {
    "ack": ("o", "#2ca02c"),
    "nak": ("x", "#ff7f0e"),
    "term": ("s", "#d62728"),
    "no answer": ("D", "#7f7f7f"),
}
"""Marker and colour per way a delivery ended, shared so every delivery timeline reads alike."""


def deliveries(
    rows: Mapping[str, Sequence[tuple[float, str]]],
    *,
    title: str,
    xlabel: str = "seconds since the first delivery",
) -> Figure:
    """A timeline per message (or consumer): one marker per delivery, shaped by its answer.

    ``rows`` maps a label to ``(seconds, outcome)`` pairs, outcome being one of
    ``DELIVERY_STYLES`` (``"ack"``, ``"nak"``, ``"term"``, ``"no answer"``). The gaps
    between markers are the redelivery delays, which is what backoff and ``nak(delay=…)``
    change and what a plain ``nak()`` collapses to nothing.
    """
    figure, axes = plt.subplots(figsize=(7, 0.8 + 0.55 * max(len(rows), 1)))
    seen: set[str] = set()
    for row, events in enumerate(rows.values()):
        axes.axhline(row, color="#dddddd", linewidth=1, zorder=1)
        for seconds, outcome in events:
            marker, colour = DELIVERY_STYLES.get(outcome, ("o", "#27aae1"))
            label = outcome if outcome not in seen else None
            seen.add(outcome)
            axes.scatter([seconds], [row], marker=marker, s=70, color=colour, zorder=2, label=label)
    axes.set_yticks(range(len(rows)), list(map(str, rows)))
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first row on top, half a row of room around each
    axes.set(title=title, xlabel=xlabel)
    if seen:  # outside the plot, so it never hides a delivery
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    figure.tight_layout()
    plt.close(figure)
    return figure


def rates(per_second: Mapping[str, float], *, title: str, baseline: str) -> Figure:
    """Horizontal bars of messages per second on a log scale, each labelled with its rate and
    its ratio to the ``baseline`` key: rates that differ a hundredfold stay readable."""
    names = list(per_second)
    values = [per_second[name] for name in names]
    figure, axes = plt.subplots(figsize=(8, 0.9 + 0.45 * max(len(names), 1)))
    axes.barh(names, values, color="#27aae1")
    axes.set_xscale("log")
    axes.invert_yaxis()  # first name on top, as in a table
    for row, value in enumerate(values):
        ratio = value / per_second[baseline]
        axes.text(value, row, f" {value:,.0f}/s  ({ratio:.1f}×)", va="center", fontsize="small")
    axes.set_xlim(min(values) / 2, max(values) * 20)  # room for the labels right of the bars
    axes.set(title=title, xlabel="messages per second (log scale)")
    figure.tight_layout()
    plt.close(figure)
    return figure


def failover(
    attempts: Sequence[tuple[float, float | None]],
    *,
    events: Mapping[str, float],
    title: str,
) -> Figure:
    """Publish latency across a failover: a dot per acknowledged publish at its latency (log
    scale), a cross per failed attempt, and a dashed line per event (a kill, a new leader).

    ``attempts`` are ``(seconds since the start, latency in seconds or None if it failed)``.
    A median latency cannot show an election; the gap in the dots and the row of crosses can.
    """
    figure, axes = plt.subplots(figsize=(7, 3))
    acked = [(t, latency * 1000) for t, latency in attempts if latency is not None]
    failed = [t for t, latency in attempts if latency is None]
    if acked:
        axes.scatter(*zip(*acked, strict=True), s=4, color="#27aae1", label="acknowledged")
    axes.set_yscale("log")
    # 0.2, 0.5, 1, 2, 5 rather than 2x10^-1: labels on the 1-2-5 ticks only
    plain = FuncFormatter(lambda value, _: f"{value:g}" if f"{value:.0e}"[0] in "125" else "")
    axes.yaxis.set_major_formatter(plain)
    axes.yaxis.set_minor_formatter(plain)
    floor = min((ms for _, ms in acked), default=1.0)
    if failed:
        axes.scatter(failed, [floor] * len(failed), marker="x", color="#d62728", label="failed")
    colours = ["#555555", "#2ca02c", "#9467bd", "#8c564b"]
    for index, (name, seconds) in enumerate(events.items()):
        axes.axvline(seconds, linestyle="--", color=colours[index % len(colours)], label=name)
    axes.set(title=title, xlabel="seconds since the first publish", ylabel="latency (ms)")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    figure.tight_layout()
    plt.close(figure)
    return figure

"""Exercise 9: the predictor stage of the prediction pipeline.

The pipeline is: market data (stream MARKET_DATA, subjects ``market.data.ohlcv.<TICKER>``)
→ **predictor** → predictions (stream PREDICTIONS, ``predictions.normal.<TICKER>``)
→ explainer → explanations. You write the predictor:

* ``make_prediction`` turns one market-data envelope into one prediction envelope;
* ``run_predictor`` runs the stage on a durable pull consumer until told to stop.

The check runs the whole pipeline with your stage in the middle, stops and restarts it,
and counts what comes out at the end.
"""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext

from gym.messages import validate
from gym.pipeline import Output, run_stage


def make_prediction(bar: dict) -> dict:
    """Return the prediction envelope for one market-data envelope ``bar``.

    type ``"prediction"``, the same ticker, ``data`` = ``{"predicted_price":
    round(close * 1.01, 2), "confidence": 0.87}``, and the bar's own metadata
    (``timestamp``, ``bar``, ``origin_ns``) carried over so later stages can trace it.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError


async def run_predictor(js: JetStreamContext, stop: asyncio.Event) -> int:
    """Run the predictor until ``stop`` is set and nothing is left; return how many it handled.

    Use ``gym.pipeline.run_stage`` with the durable consumer ``"predictor"`` on stream
    ``MARKET_DATA``, filter ``market.data.ohlcv.>``, publishing each prediction to
    ``predictions.normal.<TICKER>``. Being durable, a restarted predictor resumes where
    the last one stopped.
    """
    # TODO: write this function (its docstring says what it must do).
    raise NotImplementedError

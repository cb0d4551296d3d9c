# mistake: every_prediction subscribes to predictions.* (as the tutorial does): '*' is one
#   token, so none of the three-token predictions arrive
# expect: that is what predictions.* receives


async def every_prediction(nc: Client, subjects: list[str]) -> list[str]:
    """Return the ``subjects`` (in order) that reach a service subscribed to every prediction.

    "Every prediction" is every subject under ``predictions.``: any kind, any ticker
    (``predictions.normal.AAPL``, ``predictions.earnings.GOOGL``) and any level added
    later — but not other areas (``market.…``, or the singular ``prediction.…``). Choose
    the pattern, and let ``deliveries`` ask the server.
    """
    # '>' takes one or more tokens: kind, ticker and anything deeper. 'predictions.*'
    # would take exactly one token, and receive none of the three-token predictions.
    return await deliveries(nc, "predictions.*", subjects)

# mistake: every_prediction subscribes to predictions.* (as the tutorial does): '*' is one
#   token, so none of the three-token predictions arrive
# expect: that is what predictions.* receives


async def every_prediction(nc: Client, subjects: list[str]) -> list[str]:
    # '>' takes one or more tokens: kind, ticker and anything deeper. 'predictions.*'
    # would take exactly one token, and receive none of the three-token predictions.
    return await deliveries(nc, "predictions.*", subjects)

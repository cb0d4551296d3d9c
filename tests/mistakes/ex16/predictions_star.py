# mistake: the predictor may publish predictions.*: one token, so predictions.normal.AAPL is refused
# expect: must be able to publish to predictions.normal.AAPL, but the server refused it
# expect: predictions.* does not


def permissions() -> dict[str, dict[str, Any]]:
    """The ``permissions`` block of each service's user: ``{"feed": {...}, ...}``.

    Each block may have ``"publish"`` and ``"subscribe"`` (each a dict with ``"allow"``
    and/or ``"deny"`` lists of subjects, wildcards allowed) and ``"allow_responses"``.
    Prefer allow lists: with one, everything not on it is refused.
    """
    return {
        "feed": {
            "publish": {"allow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},
        },
        "predictor": {
            "publish": {"allow": ["predictions.*", "svc.explain"]},
            "subscribe": {"allow": ["market.data.>", "_INBOX.>"]},
        },
        "explainer": {
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
            "allow_responses": True,
        },
    }

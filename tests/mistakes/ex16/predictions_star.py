# mistake: the predictor may publish predictions.*: one token, so predictions.normal.AAPL is refused
# expect: must be able to publish to predictions.normal.AAPL, but the server refused it
# expect: predictions.* does not


def permissions() -> dict[str, dict[str, Any]]:
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

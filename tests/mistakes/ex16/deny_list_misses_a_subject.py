# mistake: the predictor may publish anything but market data: the deny list misses explanations
# expect: the predictor may publish to explanations.AAPL, but must not
# expect: denying a few subjects misses whatever you did not think of


def permissions() -> dict[str, dict[str, Any]]:
    return {
        "feed": {
            "publish": {"allow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},
        },
        "predictor": {
            "publish": {"allow": [">"], "deny": ["market.data.>"]},
            "subscribe": {"allow": ["market.data.>", "_INBOX.>"]},
        },
        "explainer": {
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
            "allow_responses": True,
        },
    }

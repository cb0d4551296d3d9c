# mistake: the predictor may not subscribe to _INBOX.>, so replies to its requests cannot reach it
# expect: the server refused its subscription to the reply inbox
# expect: must be allowed to subscribe to _INBOX.>


def permissions() -> dict[str, dict[str, Any]]:
    return {
        "feed": {
            "publish": {"allow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},
        },
        "predictor": {
            "publish": {"allow": ["predictions.>", "svc.explain"]},
            "subscribe": {"allow": ["market.data.>"]},
        },
        "explainer": {
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
            "allow_responses": True,
        },
    }

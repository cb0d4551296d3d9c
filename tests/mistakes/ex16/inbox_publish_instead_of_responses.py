# mistake: the explainer may publish to all of _INBOX.> instead of answering only what it was asked
# expect: may publish to _INBOX.unasked.1, an inbox it received no request from, but must not
# expect: allow_responses


def permissions() -> dict[str, dict[str, Any]]:
    return {
        "feed": {
            "publish": {"allow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},
        },
        "predictor": {
            "publish": {"allow": ["predictions.>", "svc.explain"]},
            "subscribe": {"allow": ["market.data.>", "_INBOX.>"]},
        },
        "explainer": {
            "publish": {"allow": ["explanations.>", "_INBOX.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
        },
    }

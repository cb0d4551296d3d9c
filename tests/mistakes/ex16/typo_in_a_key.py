# mistake: a typo in a key (alow): the server cannot read the configuration
# expect: refused the configuration made from your permissions (in the feed block)
# expect: Unknown field name "alow" parsing subject permissions


def permissions() -> dict[str, dict[str, Any]]:
    return {
        "feed": {
            "publish": {"alow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},
        },
        "predictor": {
            "publish": {"allow": ["predictions.>", "svc.explain"]},
            "subscribe": {"allow": ["market.data.>", "_INBOX.>"]},
        },
        "explainer": {
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
            "allow_responses": True,
        },
    }

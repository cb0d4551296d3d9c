# mistake: the predictor's publish allow list forgets svc.explain: its requests are refused
# expect: must be able to publish its request to svc.explain, but the server refused it
# expect: Sending a request is publishing to its subject


def permissions() -> dict[str, dict[str, Any]]:
    return {
        "feed": {
            "publish": {"allow": ["market.data.>"]},
            "subscribe": {"deny": [">"]},  # no allow list would mean "everything"
        },
        "predictor": {
            "publish": {"allow": ["predictions.>"]},
            "subscribe": {"allow": ["market.data.>", "_INBOX.>"]},  # replies come to _INBOX
        },
        "explainer": {
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": ["predictions.>", "svc.explain"]},
            "allow_responses": True,  # may answer each request it receives, once
        },
    }

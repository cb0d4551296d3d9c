# mistake: a set of subjects where the configuration needs a list
# expect: permissions()['explainer']['subscribe']['allow'] is a set
# expect: use a list


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
            "publish": {"allow": ["explanations.>"]},
            "subscribe": {"allow": {"predictions.>", "svc.explain"}},
            "allow_responses": True,
        },
    }

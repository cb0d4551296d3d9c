"""One module per exercise, each with a ``CRITERIA`` list (see ``gym.checker.context``)."""

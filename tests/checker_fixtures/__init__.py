"""A tiny exercise, with learner files that go wrong in every way, to test the checker."""

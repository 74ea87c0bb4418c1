"""Internals of sprocket_harness.py (the Python runner). Not for predictors to import."""

"""Exceptions a predictor may see or raise."""


class CancelationException(BaseException):
    """Raised inside a sync predict() when its prediction is canceled.

    A BaseException (as in Cog) so that a predictor's `except Exception:` does not swallow it;
    a predictor may catch it to clean up but must re-raise it.
    """

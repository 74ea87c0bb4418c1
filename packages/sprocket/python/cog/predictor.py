"""Base classes and decorators predictors build on.

Inheriting is optional in Cog (any class with predict()/run(), or a plain function, works), so
these only give the harness a way to tell a real method from the base class's placeholder.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from .scope import Scope, current_scope


def _placeholder(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn.__cog_placeholder__ = True  # type: ignore[attr-defined]
    return fn


class BasePredictor:
    def setup(self, weights: Optional[Any] = None) -> None:
        """Load the model once, before the first prediction."""

    @_placeholder
    def predict(self, **kwargs: Any) -> Any:
        raise NotImplementedError("predict has not been implemented by the predictor")

    # Cog HEAD's per-prediction helpers, usable from predict().
    @property
    def scope(self) -> Scope:
        return current_scope()

    def record_metric(self, name: str, value: Any, mode: str = "replace") -> None:
        current_scope().record_metric(name, value, mode)


class BaseRunner(BasePredictor):
    """Cog HEAD's name for a predictor: run() instead of predict()."""

    @_placeholder
    def run(self, **kwargs: Any) -> Any:
        raise NotImplementedError("run has not been implemented by the runner")


def concurrent(max: int = 1) -> Callable[[Any], Any]:  # noqa: A002 (Cog's keyword)
    """@cog.concurrent(max=N) on the predictor class or its predict/run method: allow N
    predictions at once (the method must be async)."""
    if not isinstance(max, int) or max < 1:
        raise ValueError("concurrent(max=N) needs a positive integer N")

    def mark(target: Any) -> Any:
        target.__cog_concurrency__ = max
        return target

    return mark


def streaming(target: Any) -> Any:
    """Cog HEAD's @cog.streaming marker; iterator outputs already stream here."""
    return target

"""The running prediction's scope: its id, context and metrics (cog.current_scope()).

The prediction id lives in a ContextVar so that concurrent async predictions, each an asyncio
task with its own context, are told apart; the harness sets it around every predict call and
reads it to tag logs. `_metric_sink` is installed by the harness; without it (a predictor
imported by the user's own tests) metrics go nowhere.
"""
from __future__ import annotations

import contextvars
from typing import Any, Callable, Dict, Optional

_prediction_id: contextvars.ContextVar[Optional[str]] = contextvars.ContextVar("cog_prediction_id", default=None)
_metric_sink: Optional[Callable[[str, str, Any], None]] = None


def current_prediction_id() -> Optional[str]:
    return _prediction_id.get()


class Scope:
    """What current_scope() returns: record_metric, and `context` (the request's id)."""

    def __init__(self, prediction_id: Optional[str]) -> None:
        self._id = prediction_id
        self.context: Dict[str, str] = {"id": prediction_id} if prediction_id else {}

    def record_metric(self, name: str, value: Any, mode: str = "replace") -> None:
        # `mode` is accepted for Cog HEAD's signature; the server keeps the last value per name.
        if self._id is not None and _metric_sink is not None:
            _metric_sink(self._id, name, value)


def current_scope() -> Scope:
    return Scope(_prediction_id.get())


def emit_metric(name: str, value: Any) -> None:
    """Cog 0.13's (and 0.17+'s deprecated) spelling of current_scope().record_metric."""
    current_scope().record_metric(name, value)

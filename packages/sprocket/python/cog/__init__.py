"""Sprocket's `cog` module: what Cog predictors import, with no dependencies.

The harness puts this package first on sys.path, so `from cog import BasePredictor, Input, Path`
resolves here even where the real cog is installed in the model's environment.
"""
from .exceptions import CancelationException
from .model import BaseModel
from .predictor import BasePredictor, BaseRunner, concurrent, streaming
from .scope import current_scope, emit_metric
from .types import (
    AsyncConcatenateIterator,
    AsyncIterator,
    ConcatenateIterator,
    File,
    Input,
    Iterator,
    Path,
    Secret,
    URLPath,
)


class ExperimentalFeatureWarning(Warning):
    """Cog 0.16 exported it; models filter it with warnings.filterwarnings."""


__version__ = "0.16.12+sprocket"

__all__ = [
    "AsyncConcatenateIterator",
    "AsyncIterator",
    "BaseModel",
    "BasePredictor",
    "BaseRunner",
    "CancelationException",
    "ConcatenateIterator",
    "ExperimentalFeatureWarning",
    "File",
    "Input",
    "Iterator",
    "Path",
    "Secret",
    "URLPath",
    "concurrent",
    "current_scope",
    "emit_metric",
    "streaming",
]

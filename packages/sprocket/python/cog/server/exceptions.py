"""Cog ≤ 0.16's home of CancelationException (same class as cog.CancelationException)."""
from cog.exceptions import CancelationException

__all__ = ["CancelationException"]

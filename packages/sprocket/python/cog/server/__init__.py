"""Cog ≤ 0.16 kept CancelationException in cog.server.exceptions; models still import it there."""

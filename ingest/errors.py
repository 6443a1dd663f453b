"""Errors raised for bad sources: the CLI and API turn them into clear messages."""


class SourceError(ValueError):
    """A source could not be read (missing path, unreachable URL, unknown package)."""

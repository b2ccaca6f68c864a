"""Podium: a static site generator for transcripts of spoken events."""

__version__ = "0.1.0"

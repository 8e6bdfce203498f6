"""Nepali cash reader: tells blind people which Nepali banknote they hold."""

__version__ = "0.1.0"

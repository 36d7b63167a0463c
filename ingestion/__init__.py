"""Oakvale ingestion: raw generator, bronze job, catalog registration and CLI."""

__version__ = "0.1.0"

"""Helpers shared by tests (headless browser, …)."""

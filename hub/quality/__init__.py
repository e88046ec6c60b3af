"""Data quality: measuring what the hub made of its sources (suites, quarantine, resolution scores)."""

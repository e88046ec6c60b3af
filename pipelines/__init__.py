"""Dagster pipelines: extract each department, map to canonical rows, publish to the warehouse."""

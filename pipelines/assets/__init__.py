"""Assets, one module per source; each extracts, maps and publishes through `pipelines.ingest`.

Dagster checks the `context` parameter's annotation when an asset is defined, so asset modules
keep real annotations (no `from __future__ import annotations`).
"""

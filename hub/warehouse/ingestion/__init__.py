"""Warehouse entity: ingestion."""

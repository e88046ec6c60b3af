"""Warehouse entity: persons."""

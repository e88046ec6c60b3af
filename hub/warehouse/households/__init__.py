"""Warehouse entity: households."""

"""Warehouse entity: cases."""

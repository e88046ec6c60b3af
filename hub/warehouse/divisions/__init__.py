"""Warehouse entity: divisions."""

"""Warehouse entity: grids."""

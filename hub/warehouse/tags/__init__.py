"""Warehouse entity: person tags (special populations and benefits)."""

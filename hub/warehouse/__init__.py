"""The unified warehouse: one package per entity, each with `models.py` (tables) and `service.py`."""

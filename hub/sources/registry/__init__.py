"""综治中心 grid registry: divisions, grids, grid workers, address → grid (no auth, offset pages)."""

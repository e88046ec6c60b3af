"""Data-quality results: what each run's suites checked, what failed, and how sources reconcile."""

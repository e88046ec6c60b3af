"""One module per simulated department, each serving the county in that department's own shape.

Every module splits in two: its record builders (`household_records(county)` …) turn the truth
into the department's payload items (where a later noise profile will alter them), and
`routes(...)` serves those items with the department's own auth and pagination (where a later
fault profile will interfere).
"""

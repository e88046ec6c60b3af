"""Department sources: per department an HTTP client, its payload types and a mapping to canonical rows."""

"""公安 public security: household register and police incidents (OAuth2, cursor pages, JSON)."""

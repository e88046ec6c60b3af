"""信访 petitions: a change feed of petition versions (token header, JSON Lines, since tokens, 429)."""

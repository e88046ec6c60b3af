"""GraphQL types, each built from a service row (`X.from_row(row)`), never from an ORM object."""

"""The GraphQL API: Starlette app, Strawberry schema, loaders, permissions and masking."""

"""GraphiQL served entirely by the hub: vendored assets and the GraphQL view that uses them."""

from hub.api.graphiql.assets import (
    DEFAULT_GRAPHIQL_STATIC_PATH,
    GRAPHIQL_STATIC_MOUNT_NAME,
    STATIC_DIR,
    VendoredStaticFiles,
    graphiql_static_mount,
)
from hub.api.graphiql.view import (
    GraphQLViewOptions,
    OfflineGraphQL,
    localise_asset_urls,
    offline_graphiql_template,
    vendored_asset_paths,
)

__all__ = [
    "DEFAULT_GRAPHIQL_STATIC_PATH",
    "GRAPHIQL_STATIC_MOUNT_NAME",
    "STATIC_DIR",
    "GraphQLViewOptions",
    "OfflineGraphQL",
    "VendoredStaticFiles",
    "graphiql_static_mount",
    "localise_asset_urls",
    "offline_graphiql_template",
    "vendored_asset_paths",
]

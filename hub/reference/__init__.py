"""Code tables (national standards and each department's codes) as data, with typed loaders."""

from hub.reference.tables import (
    ReferenceEntry,
    ReferenceTable,
    TagKind,
    UnknownCode,
    UnknownTable,
    known_code,
    load_table,
    table_names,
    tag_kinds,
)

__all__ = [
    "ReferenceEntry",
    "ReferenceTable",
    "TagKind",
    "UnknownCode",
    "UnknownTable",
    "known_code",
    "load_table",
    "table_names",
    "tag_kinds",
]

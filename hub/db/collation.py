"""Comparing text as Python does: by code point, whatever the database's collation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction


class codepoint_order(GenericFunction[str]):
    """Its text argument, compared by code point: `COLLATE "C"` on PostgreSQL (a database's locale
    sorts "a" before "B"); SQLite compares text that way (BINARY) unless told otherwise."""

    type = String()
    inherit_cache = True


@compiles(codepoint_order)
def _plain(element: codepoint_order, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(codepoint_order, "postgresql")
def _c_collation(element: codepoint_order, compiler: SQLCompiler, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)} COLLATE "C")'

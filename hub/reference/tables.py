"""Typed access to the code tables kept as CSV files under `hub/reference/data/`.

Every code the hub stores (sex, ethnicity, family relation, tag kinds, case categories, statuses …)
lives in one of those files, cited to its standard in the file's first comment line, so that a code
change is a data change reviewed in one place and never a literal hunted through the code.

Two shapes of table exist:

* *code tables* (`sex`, `ethnicity`, `tag_kinds`, `case_kind_codes`, `case_link_relations` …) are
  keyed by their first column, `code`;
* *department tables* (`case_categories`, `case_statuses`, `party_roles` …) translate what a
  department sends (`source_value`) into the hub's code, keyed by `(department, source_value)`.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources

from hub.errors import HubError

_DATA_PACKAGE = "hub.reference"
_DATA_DIR = "data"
_DEPARTMENT_COLUMNS = ("department", "source_value")


class UnknownTable(HubError):
    """No code table of that name ships with the hub."""


class UnknownCode(HubError):
    """A code the hub sets itself is not a code of the table it belongs to."""


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """One row of a code table; columns are read by name."""

    values: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def get(self, column: str) -> str | None:
        """The column's value, or None when the column is absent or the cell empty."""
        value = self.values.get(column)
        return value or None

    @property
    def code(self) -> str:
        """The `code` column (code tables and `case_categories`)."""
        return self.values["code"]

    @property
    def label_zh(self) -> str:
        """The Chinese label as the standard writes it."""
        return self.values["label_zh"]


@dataclass(frozen=True, slots=True)
class ReferenceTable:
    """A loaded code table: its rows plus indexes by key."""

    name: str
    standard: str  # the citation from the file's header comment
    columns: tuple[str, ...]
    entries: tuple[ReferenceEntry, ...]
    _by_code: Mapping[str, ReferenceEntry] = field(repr=False)
    _by_source: Mapping[tuple[str, str], ReferenceEntry] = field(repr=False)

    @property
    def is_department_table(self) -> bool:
        """True when rows translate a department's own value (keyed by department and source value)."""
        return self.columns[:2] == _DEPARTMENT_COLUMNS

    def __iter__(self) -> Iterator[ReferenceEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> ReferenceEntry | None:
        """The row whose `code` is `code`, or None (code tables only)."""
        return self._by_code.get(code)

    def label(self, code: str) -> str | None:
        """The Chinese label of `code`, or None when the code is unknown."""
        entry = self._by_code.get(code)
        return entry.label_zh if entry else None

    def codes(self) -> frozenset[str]:
        """Every code of a code table."""
        return frozenset(self._by_code)

    def lookup(self, department: str, source_value: str) -> ReferenceEntry | None:
        """The row translating `source_value` as sent by `department`, or None (department tables)."""
        return self._by_source.get((department, source_value))

    def source_values(self, department: str) -> frozenset[str]:
        """Every value a department may send in this table."""
        return frozenset(value for dept, value in self._by_source if dept == department)


@functools.cache
def load_table(name: str) -> ReferenceTable:
    """Load `hub/reference/data/<name>.csv` once per process.

    The first line must be a `#` comment citing the standard; the second the header. Raises
    `UnknownTable` when no such file ships with the hub.
    """
    resource = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR, f"{name}.csv")
    if not resource.is_file():
        raise UnknownTable(f"no reference table named {name!r}")
    text = resource.read_text(encoding="utf-8")
    first_line, _, body = text.partition("\n")
    if not first_line.startswith("#"):
        raise UnknownTable(f"reference table {name!r} does not cite its standard on its first line")
    reader = csv.DictReader(io.StringIO(body))
    columns = tuple(reader.fieldnames or ())
    entries = tuple(ReferenceEntry(values={k: (v or "").strip() for k, v in row.items()}) for row in reader)
    by_code: dict[str, ReferenceEntry] = {}
    by_source: dict[tuple[str, str], ReferenceEntry] = {}
    for entry in entries:
        if columns[:2] == _DEPARTMENT_COLUMNS:
            key = (entry["department"], entry["source_value"])
            if key in by_source:
                raise UnknownTable(f"reference table {name!r} repeats {key}")
            by_source[key] = entry
        else:
            code = entry[columns[0]]
            if code in by_code:
                raise UnknownTable(f"reference table {name!r} repeats code {code!r}")
            by_code[code] = entry
    return ReferenceTable(
        name=name,
        standard=first_line.lstrip("# ").strip(),
        columns=columns,
        entries=entries,
        _by_code=by_code,
        _by_source=by_source,
    )


def known_code(table: str, code: str) -> str:
    """`code`, checked to be a code of the code table `table`; raises `UnknownCode` otherwise.

    For the few codes a mapping sets itself instead of translating what a department sends (a
    case link's relation): bound to a module constant, a typo or a code dropped from the table fails
    when the mapping is imported, not record by record in quarantine.
    """
    loaded = load_table(table)
    if code not in loaded:
        raise UnknownCode(f"{code!r} is not a code of {table} ({loaded.standard})")
    return code


def table_names() -> tuple[str, ...]:
    """The names of every table shipped under `hub/reference/data/`, sorted."""
    folder = resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR)
    return tuple(sorted(p.name.removesuffix(".csv") for p in folder.iterdir() if p.name.endswith(".csv")))


@dataclass(frozen=True, slots=True)
class TagKind:
    """A special-population tag kind with who reports it and how sensitive it is (1 low … 3 high)."""

    code: str
    label_zh: str
    label_en: str
    department: str
    sensitivity: int


@functools.cache
def tag_kinds() -> Mapping[str, TagKind]:
    """Every tag kind by code, from `tag_kinds.csv`."""
    return {
        entry.code: TagKind(
            code=entry.code,
            label_zh=entry.label_zh,
            label_en=entry["label_en"],
            department=entry["department"],
            sensitivity=int(entry["sensitivity"]),
        )
        for entry in load_table("tag_kinds")
    }

"""Suites as files: `expectations/<table>.json`, Great Expectations 1.x suites with the hub's meta.

Each file is an `ExpectationSuite` as GX serialises it (`name`, `expectations` with `type`,
`kwargs`, `meta`), so GX loads it unchanged; the hub reads its own keys from `meta`:

* suite `meta.hub`: `table` (what to check), `layer` (`staging`: checked before publishing, failing
  records are quarantined; `core`: checked after, failing rows are held back), `version` (bump on
  every edit: results record it), `row_id` (the column naming a row, `id`), `max_row_failure_rate`
  (above it, with at least ten failing rows, a table counts as structurally broken, not as a few
  bad rows), and optionally `changed_with`: `{"group": <column>, "tables": {<table>: <column>}}`, the
  rows that stand or fall together (a case's events: `case_id`, with `cases.id`). A row then counts
  as changed when any row of its group did, in this table or in those, so a `changed` rule may
  compare a row with the rest of its group; and optionally `references`: `{<column>: "<table>.<column>"}`,
  the rows a row names (a member's person: `{"person_id": "persons.id"}`). A row then counts as
  changed when the row it names was loaded since, so a `changed` rule may judge a row with the rows
  it names (they exist, are not merged away, carry the number it gives). That holds because a
  named table is never deleted from and every write to it stamps `loaded_at`;
* expectation `meta`: `rule` (a stable name, `persons.id_number_checksum`), `reason` (what a failing
  row means, for auditors), `level` — `row` (the failing rows are held back, the data flows on) or
  `batch` (the table is structurally broken: blocking) — and optionally `scope`: `changed` (the rule
  judges each row by that row alone, so a run may check only the rows loaded since the last run and
  carry the earlier failures of the others; `hub/quality/scope.py`) or `table` (every run checks the
  whole table). Row-level map rules (in a set, not null, a pattern, a range, a pair) default to
  `changed` unless they compare with the date (`run__today`, `CURRENT_DATE`: yesterday's future date
  may not be today's); every
  other rule defaults to `table`, but for uniqueness rules: once a run found no duplicate, a new one
  involves a row changed since, so they are `changed` too (checked as "the changed rows' values held
  by another row", and whole whenever the run started from found duplicates). A custom query may be
  marked `changed` only when it judges the row alone, with its group (`changed_with`), or with the
  rows it names (`references`).

Code lists are never copied into a suite: `{"$PARAMETER": "ref__<table>__<column>"}` stands for the
distinct values of a column of a code table under `hub/reference/data/` and is filled at run time.
`{"$PARAMETER": "run__today"}` is the date of the run (for "not in the future").
Adding a rule is adding an expectation to a file. Nothing here imports GX.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hub.errors import HubError
from hub.reference.tables import load_table

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
LEVELS = ("row", "batch")
SCOPES = ("changed", "table")
# Expectations that judge each row by its own columns: a row that did not change keeps its verdict.
ROW_LOCAL_TYPES = frozenset(
    {
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
    }
)
# A value shared by two rows: once a check found none, a new one involves a row changed since, so
# the changed rows decide it (`hub.quality.runner` asks for their duplicates, in the whole table).
UNIQUENESS_TYPES = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})
TODAY = "run__today"
_PARAMETER = re.compile(r"^ref__(?P<table>[a-z_]+?)__(?P<column>[a-z_]+)$")


class InvalidSuite(HubError):
    """A suite file does not say what the hub needs to run it (table, rule names, levels)."""


@dataclass(frozen=True, slots=True)
class ChangedWith:
    """The rows a suite's row stands or falls with: those sharing its `group` column, and the rows
    of each of `tables` whose column there equals it."""

    group: str
    tables: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Reference:
    """A column of a suite's table naming a row of `table` (its `target` column equals it)."""

    column: str
    table: str
    target: str


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One expectation of a suite, as the file states it."""

    rule: str
    type: str
    kwargs: Mapping[str, Any]
    level: str
    reason: str
    scope: str = "table"

    @property
    def column(self) -> str | None:
        column = self.kwargs.get("column") or self.kwargs.get("column_A")
        return str(column) if column else None


@dataclass(frozen=True, slots=True)
class SuiteSpec:
    """A suite file: which table it checks, its rules, and the document GX reads."""

    name: str
    table: str
    layer: str
    version: int
    row_id: str
    max_row_failure_rate: float
    rules: tuple[RuleSpec, ...]
    path: Path
    document: Mapping[str, Any]
    changed_with: ChangedWith | None = None
    references: tuple[Reference, ...] = ()

    def rule(self, name: str) -> RuleSpec:
        return next(r for r in self.rules if r.rule == name)

    @property
    def parameters(self) -> frozenset[str]:
        """The `$PARAMETER` names the suite's kwargs refer to."""
        return frozenset(_parameters_in([r.kwargs for r in self.rules]))


def load_suite(path: Path) -> SuiteSpec:
    """Read and check one suite file (it must name its table, and every rule its level and reason)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InvalidSuite(f"{path.name}: not JSON ({error})") from error
    hub_meta = (document.get("meta") or {}).get("hub") or {}
    name, table = document.get("name"), hub_meta.get("table")
    if not name or not table:
        raise InvalidSuite(f"{path.name}: needs `name` and `meta.hub.table`")
    rules = []
    for position, expectation in enumerate(document.get("expectations") or []):
        meta = expectation.get("meta") or {}
        rule, level, reason = meta.get("rule"), meta.get("level"), meta.get("reason")
        if not (expectation.get("type") and rule and reason and level in LEVELS):
            raise InvalidSuite(
                f"{path.name}: expectation {position} needs `type` and `meta` rule, reason and level {LEVELS}"
            )
        kwargs = expectation.get("kwargs") or {}
        rules.append(
            RuleSpec(
                rule=rule,
                type=expectation["type"],
                kwargs=kwargs,
                level=level,
                reason=reason,
                scope=_scope(path, rule, expectation["type"], level, kwargs, meta.get("scope")),
            )
        )
    names = [r.rule for r in rules]
    if len(set(names)) != len(names):
        raise InvalidSuite(f"{path.name}: rule names repeat")
    return SuiteSpec(
        name=str(name),
        table=str(table),
        layer=str(hub_meta.get("layer", "core")),
        version=int(hub_meta.get("version", 1)),
        row_id=str(hub_meta.get("row_id", "id")),
        max_row_failure_rate=float(hub_meta.get("max_row_failure_rate", 0.05)),
        rules=tuple(rules),
        path=path,
        document=document,
        changed_with=_changed_with(path, hub_meta.get("changed_with")),
        references=_references(path, hub_meta.get("references")),
    )


def _changed_with(path: Path, given: Any) -> ChangedWith | None:
    if given is None:
        return None
    group, tables = (given.get("group"), given.get("tables")) if isinstance(given, Mapping) else (None, None)
    names = [group, *(tables or {}), *(tables or {}).values()]
    if not tables or not isinstance(tables, Mapping) or not all(isinstance(n, str) and n for n in names):
        raise InvalidSuite(
            f'{path.name}: changed_with is {{"group": <column>, "tables": {{<table>: <column>}}}}'
        )
    return ChangedWith(group=str(group), tables={str(t): str(c) for t, c in tables.items()})


def _references(path: Path, given: Any) -> tuple[Reference, ...]:
    if given is None:
        return ()
    found: list[Reference] = []
    for column, named in given.items() if isinstance(given, Mapping) else [(None, None)]:
        table, _, target = named.partition(".") if isinstance(named, str) else ("", "", "")
        if not (isinstance(column, str) and column and table and target):
            raise InvalidSuite(f'{path.name}: references is {{<column>: "<table>.<column>"}}')
        found.append(Reference(column=column, table=table, target=target))
    return tuple(found)


def _scope(path: Path, rule: str, type_: str, level: str, kwargs: Mapping[str, Any], given: Any) -> str:
    """Where a rule looks: `changed` rows only, or the whole `table` (see the module docstring)."""
    query = str(kwargs.get("unexpected_rows_query", ""))
    dated = TODAY in _parameters_in([kwargs]) or "CURRENT_DATE" in query.upper()
    # `mostly` judges the share of failing rows in the table, not each row.
    judges_one_row = (
        type_ in ROW_LOCAL_TYPES or type_ == "unexpected_rows_expectation"
    ) and "mostly" not in kwargs
    unique = type_ in UNIQUENESS_TYPES and "mostly" not in kwargs
    if given is None:
        local = level == "row" and type_ in ROW_LOCAL_TYPES and judges_one_row
        return "changed" if (local or unique) and not dated else "table"
    if given not in SCOPES:
        raise InvalidSuite(f"{path.name}: {rule}: scope is one of {SCOPES}, not {given!r}")
    if given == "changed" and not unique and (level != "row" or not judges_one_row or dated):
        raise InvalidSuite(
            f"{path.name}: {rule}: only a uniqueness rule or a row-level rule that judges each row "
            f"alone (no `mostly`, no {TODAY} or CURRENT_DATE) may have scope `changed`"
        )
    return str(given)


LAYERS = ("staging", "core")


def load_suites(directory: Path | None = None, *, layer: str | None = None) -> tuple[SuiteSpec, ...]:
    """Every suite file in `directory` (default `expectations/`), by file name; only `layer`'s if given."""
    folder = directory or EXPECTATIONS_DIR
    suites = tuple(load_suite(path) for path in sorted(folder.glob("*.json")))
    tables = [s.table for s in suites]
    if len(set(tables)) != len(tables):
        raise InvalidSuite(f"{folder}: more than one suite per table")
    unknown = sorted({s.layer for s in suites} - set(LAYERS))
    if unknown:
        raise InvalidSuite(f"{folder}: unknown layers {unknown}; a suite is {' or '.join(LAYERS)}")
    return tuple(s for s in suites if layer is None or s.layer == layer)


def suite_parameters(names: Iterable[str], *, today: dt.date) -> dict[str, Any]:
    """The values behind a suite's parameters: `run__today`, and `ref__<table>__<column>` (the
    distinct values of a code table's column)."""
    values: dict[str, Any] = {}
    for name in names:
        if name == TODAY:
            values[name] = today.isoformat()
            continue
        match = _PARAMETER.match(name)
        if match is None:
            raise InvalidSuite(f"unknown suite parameter {name!r}: use ref__<code table>__<column>")
        table = load_table(match["table"])
        values[name] = sorted({entry[match["column"]] for entry in table if entry.get(match["column"])})
    return values


def _parameters_in(values: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for value in values:
        if isinstance(value, Mapping):
            if set(value) == {"$PARAMETER"}:
                found.add(str(value["$PARAMETER"]))
            else:
                found |= _parameters_in(value.values())
        elif isinstance(value, list | tuple):
            found |= _parameters_in(value)
    return found

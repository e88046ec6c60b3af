"""Running suites with Great Expectations against the warehouse, and the failing rows' ids.

GX takes about 3 s to import (DESIGN §10), so it is imported here, inside the functions that run a
suite, never at module import: the API and the Dagster definitions load without it. An ephemeral
context (analytics and progress bars off, nothing written to disk) serves one thread at a time; each
database URL is one SQL datasource in it, each table one asset. On PostgreSQL the suites run on
`SUITE_THREADS` threads, each with a context of its own, kept for the process's next run: a suite
spends about half of its time waiting on the database and the other half in GX's Python. On a
1,000,000-person county a day after its full load, the staging gate went from 3.7-3.8 s to 2.7-2.8 s
and the core suites (with the reconciliation beside them) from 6.3-6.6 s to 5.0-5.6 s.

A suite may be asked to check its `changed`-scope rules (`RuleSpec.scope`) only on the rows loaded
since a moment: those rules are validated on a second batch, a query asset of the rows whose
`loaded_at` is at or after it (`hub/quality/scope.py` decides the moment and carries the failures of
the rows left out); every other rule still sees the whole table. GX computes each metric with a
query of its own over the batch, a dozen per suite, so that batch comes from a second datasource
that has GX copy the changed rows into a temporary table once (`create_temp_table`) and read them
from there. On a 1,000,000-person county a day after its full load, the case parties' suite (78,829
changed rows) took 3.3 s with the rows computed again for every metric and takes 1.9 s; every core
suite together, 12.9 → 11.6 s. A temporary table lives on one connection, so that datasource's
engine has exactly one. The suite is validated from the batch definition, so GX fills the table
once per suite (a batch built first would be built again by the validator).

Failing rows: map expectations run with `COMPLETE` results indexed by the suite's row id column.
On SQL sources GX cuts that list to `partial_unexpected_count`, so it is raised, and whenever the
list is still shorter than the count the returned `unexpected_index_query` (or, for
`unexpected_rows_expectation`, the rule's own query) is run to collect every failing row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import queue
import re
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, inspect, text

from hub.quality.suites import UNIQUENESS_TYPES, RuleSpec, SuiteSpec, suite_parameters
from hub.sources.fields import CHINA_TZ
from hub.warehouse.models import metadata

# Raising GX's cut-off keeps the common case (a few hundred bad rows) to one query per rule;
# beyond it the rule's index query is run (see module docstring).
PARTIAL_UNEXPECTED_COUNT = 10_000
MIN_ROWS_TO_BREAK = 10
_ID_CHUNK = 500
# Suffix of the datasource whose batches are the changed rows, held in temporary tables.
_CHANGED = "_changed"
# Suites run on this many threads at once (PostgreSQL): each waits on the database for about half
# of its time, while GX spends the other half in Python building and reading its metrics.
SUITE_THREADS = 2
# GX contexts not in use. A context serves one thread at a time: its stores and datasources are
# not meant for concurrent writers.
_idle_contexts: queue.SimpleQueue[Any] = queue.SimpleQueue()
# Building a context makes it GX's current one, a global: one thread builds at a time.
_building_lock = threading.Lock()
_contexts_built = 0
# Adding a datasource silences a warning, and the warnings filters are one per process.
_warnings_lock = threading.Lock()
# Asked of every batch of changed rows: how many there are, counted by GX with the batch's other
# metrics rather than by a query of our own (which would need GX's name for its temporary table).
_CHANGED_ROWS = "_changed_rows"


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What one expectation found: whether it held, its counts, and every failing row's id."""

    rule: RuleSpec
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: Any
    failing_row_ids: tuple[str, ...]
    exception: str | None = None
    # Set when the rule saw only the rows loaded at or after this moment (`scope` `changed`).
    since: dt.datetime | None = None

    @property
    def blocking(self) -> bool:
        """A batch-level rule failed, or the rule could not run at all (a missing column …)."""
        return not self.success and (self.rule.level == "batch" or self.exception is not None)


@dataclass(frozen=True, slots=True)
class SuiteOutcome:
    """One suite run on its table: every rule's outcome and what that means for the batch."""

    suite: SuiteSpec
    row_count: int
    outcomes: tuple[RuleOutcome, ...]
    error: str | None = None  # the suite could not run (table missing)
    changed_rows: int | None = None  # rows the `changed`-scope rules saw, when they saw only those

    @property
    def failing_row_ids(self) -> frozenset[str]:
        """Rows held back: every row a row-level rule found at fault."""
        return frozenset(
            row_id for o in self.outcomes if o.rule.level == "row" for row_id in o.failing_row_ids
        )

    @property
    def failure_rate(self) -> float:
        return len(self.failing_row_ids) / self.row_count if self.row_count else 0.0

    @property
    def structurally_broken(self) -> bool:
        """The whole batch must stop: the suite could not run, a batch rule failed, or too many
        rows failed for them to be a few bad records (more than `max_row_failure_rate` of the rows,
        and at least `MIN_ROWS_TO_BREAK`: three bad records in a small incremental batch are
        three bad records, not a broken table)."""
        failing = len(self.failing_row_ids)
        return (
            self.error is not None
            or any(o.blocking for o in self.outcomes)
            or (failing >= MIN_ROWS_TO_BREAK and self.failure_rate > self.suite.max_row_failure_rate)
        )

    @property
    def success(self) -> bool:
        return self.error is None and all(o.success for o in self.outcomes)


def run_suites(
    *,
    engine: Engine,
    suites: Sequence[SuiteSpec],
    today: dt.date | None = None,
    since: Mapping[str, dt.datetime] | None = None,
) -> list[SuiteOutcome]:
    """Run every suite against its table in the engine's database, in order.

    `today` (`run__today` in the suites) defaults to the date in China: the sources write local
    dates, and a record dated today must not look like the future before 08:00. `since` maps a
    table to the moment from which its suite's `changed`-scope rules look (the rows with
    `loaded_at` at or after it); a suite whose table it does not name checks the whole table.
    """
    day = today or dt.datetime.now(CHINA_TZ).date()
    moments = since or {}
    # SQLite stays on one thread: its database may be in memory on one shared connection.
    threads = 1 if engine.dialect.name == "sqlite" else SUITE_THREADS
    borrowed: list[Any] = []
    local = threading.local()

    def run(suite: SuiteSpec) -> SuiteOutcome:
        if not hasattr(local, "context"):
            local.context = _borrow_context()
            borrowed.append(local.context)
        return _run_suite(local.context, engine, suite, day, moments.get(suite.table))

    try:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dq-suite") as pool:
            return list(pool.map(run, suites))
    finally:
        for context in borrowed:
            _release(context, engine)
            _idle_contexts.put(context)


def run_suite(*, engine: Engine, suite: SuiteSpec, today: dt.date | None = None) -> SuiteOutcome:
    """Run one suite against its table."""
    return run_suites(engine=engine, suites=[suite], today=today)[0]


def prepare_in_background() -> threading.Thread:
    """Import Great Expectations and build the suites' contexts on a thread of its own.

    Both take about two seconds of a process's first check (py-spy, a daily run at 1,000,000
    persons). A run executing its steps in this process starts this while its reads wait on the
    departments and the database; the first suite waits for it to finish instead of doing it.
    """
    thread = threading.Thread(target=_prepare, name="gx-prepare", daemon=True)
    thread.start()
    return thread


def _prepare() -> None:
    with _building_lock:  # every run prepares; a process keeps the contexts it built
        while _contexts_built < SUITE_THREADS:
            _idle_contexts.put(_new_context())


def gx_version() -> str:
    import great_expectations as gx

    return str(gx.__version__)


def _borrow_context() -> Any:
    """An idle GX context, or a new one when every context is in use."""
    with _building_lock:  # a context being prepared is as good as idle
        try:
            return _idle_contexts.get_nowait()
        except queue.Empty:
            return _new_context()


def _new_context() -> Any:
    global _contexts_built
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,  # air-gapped networks: never phone home
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    _contexts_built += 1
    return context


def _datasource_name(engine: Engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    return "warehouse_" + hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:12]


def _release(context: Any, engine: Engine) -> None:
    """Drop the run's GX datasources from a context and close their connections, which drops the
    temporary tables of changed rows (GX keeps an engine per datasource, and another for its
    execution engine)."""
    for name in (_datasource_name(engine), _datasource_name(engine) + _CHANGED):
        try:
            datasource = context.data_sources.get(name)
        except KeyError:
            continue
        datasource.get_engine().dispose()
        datasource.get_execution_engine().engine.dispose()
        context.data_sources.delete(name)


def _datasource(context: Any, engine: Engine, *, changed: bool) -> Any:
    """The run's GX datasource for whole tables, or the one for changed rows: GX copies each batch
    of that one into a temporary table, on the single connection its engine has."""
    name = _datasource_name(engine) + (_CHANGED if changed else "")
    try:
        return context.data_sources.get(name)
    except KeyError:
        pass
    options: dict[str, Any] = {}
    if changed:
        options["create_temp_table"] = True
        if engine.dialect.name != "sqlite":  # GX keeps SQLite on one connection itself
            # A second connection would not see the table: fail in seconds rather than read nothing.
            options["kwargs"] = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 10}
    url = engine.url.render_as_string(hide_password=False)
    # The generic SQL datasource is deliberate: one path, both backends.
    with _warnings_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return context.data_sources.add_sql(name=name, connection_string=url, **options)


def _batch_definition(context: Any, engine: Engine, suite: SuiteSpec, since: dt.datetime | None) -> Any:
    """The whole table, or (with `since`) its changed rows (`changed_rows_query`)."""
    table = suite.table
    datasource = _datasource(context, engine, changed=since is not None)
    asset = table if since is None else f"{table}__since_{since.timestamp():.6f}"
    if asset not in datasource.get_asset_names():
        if since is None:
            added = datasource.add_table_asset(name=asset, table_name=table)
        else:
            added = datasource.add_query_asset(name=asset, query=changed_rows_query(engine, suite, since))
        added.add_batch_definition_whole_table("all")
    return datasource.get_asset(asset).get_batch_definition("all")


def changed_rows_query(engine: Engine | Connection, suite: SuiteSpec, since: dt.datetime) -> str:
    """`SELECT *` of the rows of the suite's table loaded at or after `since`, as literal SQL; with
    them, when the suite says so, the rows of their groups or of the groups of rows loaded since in
    the tables they change with (`changed_with`), and the rows naming a row loaded since in a table
    they reference (`references`).

    GX takes a query asset as text. The moment is written as each backend stores `UtcDateTime`
    (naive UTC text on SQLite, `timestamptz` on PostgreSQL) so the comparison can use the index.
    """
    quote = engine.dialect.identifier_preparer.quote
    utc = since.astimezone(dt.UTC)
    moment = utc.isoformat() if engine.dialect.name == "postgresql" else utc.strftime("%Y-%m-%d %H:%M:%S.%f")
    table, loaded = quote(suite.table), f"loaded_at >= '{moment}'"
    grouped = None
    if suite.changed_with is not None:
        group = quote(suite.changed_with.group)
        groups = [
            f"SELECT {group} FROM {table} WHERE {loaded}",
            *(
                f"SELECT {quote(c)} FROM {quote(t)} WHERE {loaded}"
                for t, c in suite.changed_with.tables.items()
            ),
        ]
        grouped = f"{group} IN ({' UNION '.join(groups)})"
    changed = f"SELECT * FROM {table} WHERE {grouped or loaded}"
    if not suite.references:
        return changed
    # The rows naming a row loaded since, less those above: each part stays on its own indexes, and
    # a suite whose named rows did not change reads no more than the rows loaded since.
    row_id = quote(suite.row_id)
    naming = " UNION ".join(
        f"SELECT {row_id} FROM {table} WHERE {quote(r.column)} IN "
        f"(SELECT {quote(r.target)} FROM {quote(r.table)} WHERE {loaded})"
        for r in suite.references
    )
    if grouped is None:
        rest = f"loaded_at < '{moment}' AND {row_id} IN ({naming})"
    else:
        rest = f"{row_id} IN ({naming} EXCEPT SELECT {row_id} FROM {table} WHERE {grouped})"
    return f"{changed} UNION ALL SELECT * FROM {table} WHERE {rest}"


def _run_suite(
    context: Any, engine: Engine, suite: SuiteSpec, today: dt.date, since: dt.datetime | None
) -> SuiteOutcome:
    import great_expectations as gx

    if not inspect(engine).has_table(suite.table):
        return SuiteOutcome(
            suite=suite, row_count=0, outcomes=(), error=f"table {suite.table} does not exist"
        )
    parameters = suite_parameters(suite.parameters, today=today)
    expectations = [_with_parameters(e, parameters) for e in suite.document["expectations"]]
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=expectations)
    if len(gx_suite.expectations) != len(suite.rules):  # GX drops invalid ones with a log line only
        loaded = {e.meta.get("rule") for e in gx_suite.expectations if e.meta}
        missing = sorted(r.rule for r in suite.rules if r.rule not in loaded)
        return SuiteOutcome(
            suite=suite, row_count=0, outcomes=(), error=f"GX rejected the expectations {', '.join(missing)}"
        )
    scoped = {r.rule for r in suite.rules if r.scope == "changed"} if since is not None else set()
    by_rule: dict[str, Mapping[str, Any]] = {}
    changed_reader, changed_rows = engine, None
    for moment, rules in ((None, {r.rule for r in suite.rules} - scoped), (since, scoped)):
        if rules:
            chosen = [e for e in expectations if e["meta"]["rule"] in rules]
            if moment is not None:
                chosen = [*(_duplicates_of_changed(engine, suite, e) for e in chosen), _changed_rows()]
            part = gx.ExpectationSuite(name=suite.name, expectations=chosen)
            checked = _validate(context, engine, suite, part, moment)
            by_rule |= checked.results
            if moment is not None:
                changed_reader, changed_rows = checked.reader, checked.rows
    outcomes = tuple(
        _outcome(changed_reader, suite, rule, by_rule[rule.rule], since)
        if rule.rule in scoped
        else _outcome(engine, suite, rule, by_rule[rule.rule], None)
        for rule in suite.rules
    )
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect() as connection:
        # Rows as the suite names them: a child table's rows count once per record (`staging_id`);
        # a primary key is counted as rows, which spares PostgreSQL sorting every id.
        table = metadata.tables.get(suite.table)
        keyed = table is not None and [c.name for c in table.primary_key.columns] == [suite.row_id]
        what = "*" if keyed else f"DISTINCT {quote(suite.row_id)}"
        counted = f"SELECT count({what}) FROM {quote(suite.table)}"
        row_count = int(connection.execute(text(counted)).scalar_one())
    return SuiteOutcome(suite=suite, row_count=row_count, outcomes=outcomes, changed_rows=changed_rows)


@dataclass(frozen=True, slots=True)
class _Checked:
    """GX's result for each rule of a part of a suite, by rule name, and how to read its batch again:
    the warehouse's engine for a whole table; for changed rows GX's own, whose one connection holds
    them in a temporary table, and how many there are."""

    results: dict[str, Mapping[str, Any]]
    reader: Engine
    rows: int | None


def _with_parameters(expectation: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The expectation with each `{"$PARAMETER": name}` argument replaced by its value.

    GX would substitute them itself, through one expression parser per process whose stack every
    thread shares: two suites substituting at once corrupt each other's. Our parameters are names
    (`hub.quality.suites.suite_parameters`), never expressions, so a look-up is all it takes.
    """
    kwargs = {
        name: values[value["$PARAMETER"]] if isinstance(value, Mapping) and "$PARAMETER" in value else value
        for name, value in expectation["kwargs"].items()
    }
    return {**expectation, "kwargs": kwargs}


def _changed_rows() -> dict[str, Any]:
    return {
        "type": "expect_table_row_count_to_be_between",
        "kwargs": {"min_value": 0},
        "meta": {"rule": _CHANGED_ROWS},
    }


def _duplicates_of_changed(engine: Engine, suite: SuiteSpec, expectation: dict[str, Any]) -> dict[str, Any]:
    """A uniqueness expectation as the rows whose values a changed row shares with another row.

    Checked only when the run started from found no duplicate (`hub.quality.scope`): then every
    duplicate involves a changed row, so this finds exactly the rows the whole-table check would.
    Any other expectation is returned as it is.
    """
    if expectation["type"] not in UNIQUENESS_TYPES:
        return expectation
    kwargs = expectation["kwargs"]
    quote = engine.dialect.identifier_preparer.quote
    table, row_id = quote(suite.table), quote(suite.row_id)
    columns = [quote(c) for c in kwargs.get("column_list") or [kwargs["column"]]]
    same_as_changed = " AND ".join(f"o.{c} = t.{c}" for c in columns)
    same_as_other = " AND ".join(f"p.{c} = o.{c}" for c in columns)
    query = (
        f"SELECT DISTINCT o.{row_id} AS {row_id} FROM {{batch}} AS t JOIN {table} AS o ON {same_as_changed} "
        f"JOIN {table} AS p ON {same_as_other} AND p.{row_id} <> o.{row_id}"
    )
    return {
        "type": "unexpected_rows_expectation",
        "kwargs": {"unexpected_rows_query": query},
        "meta": expectation["meta"],
    }


def _validate(
    context: Any, engine: Engine, suite: SuiteSpec, gx_suite: Any, since: dt.datetime | None
) -> _Checked:
    """GX's result for each rule of `gx_suite` on the whole table or its changed rows."""
    result_format = {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": [suite.row_id],
        "partial_unexpected_count": PARTIAL_UNEXPECTED_COUNT,
        "return_unexpected_index_query": True,
    }
    # Validated from the batch definition: a batch built first would be built again by the
    # validator, copying the changed rows into a second temporary table.
    from great_expectations.validator.v1_validator import Validator

    definition = _batch_definition(context, engine, suite, since)
    validator: Any = Validator(batch_definition=definition, result_format=result_format)
    validation = validator.validate_expectation_suite(gx_suite)
    document = validation.to_json_dict()  # plain JSON types: GX results hold numpy scalars
    results = {r["expectation_config"]["meta"]["rule"]: r for r in document["results"]}
    if since is None:
        return _Checked(results, engine, None)
    counted = results.pop(_CHANGED_ROWS)
    # GX's execution engine, whose one connection holds the batch's temporary table.
    reader: Engine = definition.data_asset.datasource.get_execution_engine().engine
    return _Checked(results, reader, int(counted["result"]["observed_value"]))


def _outcome(
    engine: Engine, suite: SuiteSpec, rule: RuleSpec, result: Mapping[str, Any], since: dt.datetime | None
) -> RuleOutcome:
    message = _exception_message(result.get("exception_info") or {})
    if message is not None:
        return RuleOutcome(rule, False, None, None, None, None, (), exception=message, since=since)
    details: Mapping[str, Any] = result.get("result") or {}
    success = bool(result.get("success"))
    validated = result["expectation_config"]  # the rule, or what a changed-rows check made of it
    if validated["type"] == "unexpected_rows_expectation":
        count = int(details.get("observed_value") or 0)
        rows = (details.get("details") or {}).get("unexpected_rows") or []
        if len(rows) < count:
            query = str(validated["kwargs"]["unexpected_rows_query"])
            rows = _query_rows(engine, _with_batch(engine, query, suite, since))
        # A uniqueness rule checked this way reports rows as it would itself: none at batch level.
        replaced = validated["type"] != rule.type
        ids = () if replaced and rule.level == "batch" else _row_ids(rows, suite.row_id)
        return RuleOutcome(rule, success, None, count, None, count, ids, since=since)
    unexpected = details.get("unexpected_count")
    index_list = details.get("unexpected_index_list") or []
    if rule.level == "batch":
        index_list = []  # a batch rule holds back no rows: it stops the whole table
    elif unexpected is not None and len(index_list) < int(unexpected):
        index_list = _missing_rows(engine, suite, rule, details)
    return RuleOutcome(
        rule,
        success,
        details.get("element_count"),
        None if unexpected is None else int(unexpected),
        details.get("unexpected_percent"),
        details.get("observed_value"),
        _row_ids(index_list, suite.row_id),
        since=since,
    )


_JOIN = re.compile(r"\bJOIN\b", re.IGNORECASE)


def _with_batch(engine: Engine, query: str, suite: SuiteSpec, since: dt.datetime | None) -> str:
    """A custom query with `{batch}` filled in as GX fills it: the table, or the changed rows as a
    derived table (aliased by the query itself when it joins, as `subselect` when it does not)."""
    if since is None:
        return query.replace("{batch}", suite.table)
    rows = f"({changed_rows_query(engine, suite, since)})"
    return query.replace("{batch}", rows if _JOIN.search(query) else f"{rows} AS subselect")


def _missing_rows(
    engine: Engine, suite: SuiteSpec, rule: RuleSpec, details: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every failing row of a row-level rule when GX returned only some of them."""
    if rule.type == "expect_compound_columns_to_be_unique":
        # GX returns neither the rows nor a query that runs for this one on SQL sources.
        quote = engine.dialect.identifier_preparer.quote
        table, row_id = quote(suite.table), quote(suite.row_id)
        same = " AND ".join(f"b.{quote(c)} = a.{quote(c)}" for c in rule.kwargs["column_list"])
        query = (
            f"SELECT a.{row_id} AS {row_id} FROM {table} AS a WHERE EXISTS "
            f"(SELECT 1 FROM {table} AS b WHERE {same} AND b.{row_id} <> a.{row_id})"
        )
        return _query_rows(engine, query)
    if details.get("unexpected_index_query"):
        return _query_rows(engine, str(details["unexpected_index_query"]))
    return []


def _exception_message(info: Mapping[str, Any]) -> str | None:
    # GX reports an expectation's own failure flat, and a failed metric keyed by the metric's id.
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for candidate in candidates:
        if candidate.get("raised_exception") or candidate.get("exception_traceback"):
            message = str(candidate.get("exception_message") or "the expectation raised")
            return message.strip().splitlines()[-1][:500] if message.strip() else message
    return None


def _query_rows(engine: Engine, query: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(query.rstrip().rstrip(";")))]


def _row_ids(rows: Iterable[Any], row_id: str) -> tuple[str, ...]:
    ids = {str(row[row_id]) for row in rows if isinstance(row, Mapping) and row.get(row_id) is not None}
    return tuple(sorted(ids, key=lambda value: (len(value), value)))


def fetch_rows(*, engine: Engine, table: str, row_id: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The rows of `table` with the given ids, as column → value, keyed by id."""
    quote = engine.dialect.identifier_preparer.quote
    wanted = sorted(set(ids))
    found: dict[str, dict[str, Any]] = {}
    statement = text(f"SELECT * FROM {quote(table)} WHERE {quote(row_id)} IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    with engine.connect() as connection:
        for start in range(0, len(wanted), _ID_CHUNK):
            chunk = [int(i) if i.isdigit() else i for i in wanted[start : start + _ID_CHUNK]]
            for row in connection.execute(statement, {"ids": chunk}):
                values = dict(row._mapping)
                found[str(values[row_id])] = values
    return found

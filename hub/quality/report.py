"""The auditors' data-quality report: one offline HTML page, plus CSV and JSON of the same figures.

The page has no external asset of any kind (no CDN, font, script or image URL): styles are inline,
the trend is inline SVG, so it opens on an air-gapped network from a file or a static server.
Personal data is masked (`hub.quality.service` masks every row it returns).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

from hub.quality.service import (
    HeldRow,
    QualityResultRow,
    QualityRunDetail,
    QualityRunRow,
    ReconciliationRow,
    get_quality_run,
    held_rows_by_rule,
    quarantine_counts,
    recent_runs_trend,
)

SAMPLES_PER_RULE = 5
TOP_RULES = 15
TREND_RUNS = 20
LAYER_LABELS = {"staging": "before publishing", "core": "after publishing"}


@dataclass(frozen=True, slots=True)
class TablePassRate:
    table_name: str
    layer: str  # staging: checked before publishing (failing records quarantined); core: after
    expectations: int
    passed: int
    rows: int | None
    rows_failed: int

    @property
    def rate(self) -> float:
        return self.passed / self.expectations if self.expectations else 1.0


@dataclass(frozen=True, slots=True)
class SourcePassRate:
    source_system: str
    landed: int
    quarantined: int
    flagged: int

    @property
    def rate(self) -> float:
        return 1 - (self.quarantined + self.flagged) / self.landed if self.landed else 1.0


@dataclass(frozen=True, slots=True)
class QualityReport:
    generated_at: dt.datetime
    detail: QualityRunDetail | None
    trend: tuple[QualityRunRow, ...]
    tables: tuple[TablePassRate, ...]
    sources: tuple[SourcePassRate, ...]
    top_rules: tuple[QualityResultRow, ...]
    samples: dict[str, list[HeldRow]]
    quarantine: tuple[tuple[str, str, str, int], ...]


def build_report(*, session: Session, dq_run_id: int | None = None) -> QualityReport:
    """The report of one run (default: the latest), with the trend over the runs before it."""
    detail = get_quality_run(session=session, dq_run_id=dq_run_id)
    now = dt.datetime.now(dt.UTC)
    quarantine = tuple(quarantine_counts(session=session))
    if detail is None:
        return QualityReport(now, None, (), (), (), (), {}, quarantine)
    failing = sorted(
        (r for r in detail.results if not r.success),
        key=lambda r: (r.level != "batch", -(r.unexpected_count or 0), r.rule),
    )
    return QualityReport(
        generated_at=now,
        detail=detail,
        trend=tuple(r for r in recent_runs_trend(session=session, last=TREND_RUNS) if r.id <= detail.run.id),
        tables=_table_rates(detail.results, session, detail.run.id),
        sources=_source_rates(detail.reconciliation),
        top_rules=tuple(failing[:TOP_RULES]),
        samples=held_rows_by_rule(session=session, dq_run_id=detail.run.id, per_rule=SAMPLES_PER_RULE),
        quarantine=quarantine,
    )


def write_report(report: QualityReport, out: Path) -> list[Path]:
    """Write report.html, report.json and the CSV files into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "report.html", out / "report.json"]
    written[0].write_text(render_html(report), encoding="utf-8")
    written[1].write_bytes(orjson.dumps(report_document(report), default=str, option=orjson.OPT_INDENT_2))
    detail = report.detail
    tables: dict[str, tuple[list[str], Iterable[Sequence[Any]]]] = {
        "runs.csv": (
            [
                "id",
                "run_id",
                "status",
                "started_at",
                "expectations",
                "expectations_failed",
                "rows_checked",
                "rows_failed",
                "pass_rate",
            ],
            [
                (
                    r.id,
                    r.run_id,
                    r.status,
                    r.started_at.isoformat(),
                    r.expectations,
                    r.expectations_failed,
                    r.rows_checked,
                    r.rows_failed,
                    f"{r.pass_rate:.4f}",
                )
                for r in report.trend
            ],
        ),
        "results.csv": (
            [
                "table",
                "layer",
                "rule",
                "level",
                "success",
                "element_count",
                "unexpected_count",
                "reason",
                "exception",
            ],
            [
                (
                    r.table_name,
                    r.layer,
                    r.rule,
                    r.level,
                    r.success,
                    r.element_count,
                    r.unexpected_count,
                    r.reason,
                    r.exception,
                )
                for r in (detail.results if detail else ())
            ],
        ),
        "reconciliation.csv": (
            [
                "source_system",
                "stream",
                "landed",
                "published",
                "quarantined",
                "unaccounted",
                "flagged",
                "reconciles",
            ],
            [
                (
                    s.source_system,
                    s.stream,
                    s.landed,
                    s.published,
                    s.quarantined,
                    s.unaccounted,
                    s.flagged,
                    s.reconciles,
                )
                for s in (detail.reconciliation if detail else ())
            ],
        ),
        "held_rows_sample.csv": (
            ["rule", "table", "row_id", "source_system", "source_record_id", "reason", "values"],
            [
                (
                    h.rule,
                    h.table_name,
                    h.row_id,
                    h.source_system,
                    h.source_record_id,
                    h.reason,
                    orjson.dumps(h.values, default=str).decode(),
                )
                for rows in report.samples.values()
                for h in rows
            ],
        ),
    }
    for name, (header, rows) in tables.items():
        path = out / name
        with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads it as UTF-8
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


def report_document(report: QualityReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    detail = report.detail
    return {
        "format": "hub-quality-report/1",
        "generated_at": report.generated_at,
        "run": None if detail is None else {**asdict(detail.run), "pass_rate": detail.run.pass_rate},
        "results": [] if detail is None else [asdict(r) for r in detail.results],
        "reconciliation": [] if detail is None else [asdict(r) for r in detail.reconciliation],
        "tables": [{**asdict(t), "pass_rate": t.rate} for t in report.tables],
        "sources": [{**asdict(s), "pass_rate": s.rate} for s in report.sources],
        "trend": [{**asdict(r), "pass_rate": r.pass_rate} for r in report.trend],
        "top_failing_rules": [asdict(r) for r in report.top_rules],
        "samples": {rule: [asdict(h) for h in rows] for rule, rows in report.samples.items()},
        "quarantine": [
            {"source_system": s, "stream": st, "rule": r, "records": n} for s, st, r, n in report.quarantine
        ],
    }


def _table_rates(
    results: Sequence[QualityResultRow], session: Session, dq_run_id: int
) -> tuple[TablePassRate, ...]:
    held = held_rows_count_by_table(session=session, dq_run_id=dq_run_id)
    grouped: dict[tuple[str, str], list[QualityResultRow]] = defaultdict(list)
    for result in results:
        grouped[(result.layer, result.table_name)].append(result)
    # Staging first: the order the checks ran in a pipeline run.
    order = {"staging": 0, "core": 1}
    return tuple(
        TablePassRate(
            table_name=table,
            layer=layer,
            expectations=len(rows),
            passed=sum(1 for r in rows if r.success),
            rows=max((r.element_count for r in rows if r.element_count is not None), default=None),
            rows_failed=held.get(table, 0),
        )
        for (layer, table), rows in sorted(
            grouped.items(), key=lambda item: (order.get(item[0][0], 2), item[0])
        )
    )


def held_rows_count_by_table(*, session: Session, dq_run_id: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from hub.warehouse.quality.models import DqFailure

    statement = (
        select(DqFailure.table_name, func.count(func.distinct(DqFailure.row_id)))
        .where(DqFailure.dq_run_id == dq_run_id)
        .group_by(DqFailure.table_name)
    )
    return {table: int(n) for table, n in session.execute(statement)}


def _source_rates(reconciliation: Sequence[ReconciliationRow]) -> tuple[SourcePassRate, ...]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for stream in reconciliation:
        total = totals[stream.source_system]
        total[0] += stream.landed
        total[1] += stream.quarantined
        total[2] += stream.flagged
    return tuple(SourcePassRate(s, *t) for s, t in sorted(totals.items()))


# ---- HTML -----------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.5rem;margin:0 0 .25rem}
h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de}
.muted{color:#57606a}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.4rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #eaeef2;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#1a7f37}.warned{color:#9a6700}.failed{color:#cf222e}
.bar{background:#eaeef2;height:.6rem;border-radius:3px;width:8rem;display:inline-block}
.bar i{display:block;height:100%;background:#2da44e;border-radius:3px}
code{font-size:.85rem}pre{white-space:pre-wrap;margin:0;font-size:.8rem}
.empty{border:1px dashed #d0d7de;padding:2rem;border-radius:6px;text-align:center}
"""


def render_html(report: QualityReport) -> str:
    """The whole report as one self-contained HTML page."""
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<link rel='icon' href='data:,'>",  # no favicon request either: the page asks for nothing
        "<title>数据质量报告 · Data quality report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>数据质量报告 · Data quality report</h1>",
        f"<p class='muted'>Generated {_e(report.generated_at.isoformat(timespec='seconds'))}. "
        "Personal data is masked (GB/T 35273).</p>",
    ]
    detail = report.detail
    if detail is None:
        parts.append(
            "<div class='empty' id='no-run'><b>No quality run yet.</b><br>The warehouse has no recorded "
            "data-quality run: run the pipelines (<code>hub pipeline run</code>) or "
            "<code>hub quality run</code>, then build this report again.</div>"
        )
        parts.append(_quarantine_section(report))
        parts.append("</body></html>")
        return "".join(parts)
    run = detail.run
    parts.append(
        "<section id='summary'><h2>Run summary</h2>"
        f"<p>Run <code>{_e(run.run_id)}</code> ({_e(run.trigger)}), "
        f"{_e(run.started_at.isoformat(timespec='seconds'))}, GX {_e(run.gx_version)}: "
        f"<b class='{_e(run.status)}'>{_e(run.status)}</b></p>"
        + _scope_note(run)
        + "<div class='cards'>"
        + _card("expectations passed", f"{run.expectations - run.expectations_failed} / {run.expectations}")
        + _card("pass rate", f"{run.pass_rate:.1%}")
        + _card("rows checked", f"{run.rows_checked:,}")
        + _card("rows held back", f"{run.rows_failed:,}")
        + _card(
            "streams reconciling",
            f"{sum(s.reconciles for s in detail.reconciliation)} / {len(detail.reconciliation)}",
        )
        + "</div></section>"
    )
    parts.append(
        "<section id='tables'><h2>Pass rates per table</h2><p class='muted'>Staging tables are checked "
        "before publishing (a failing record is quarantined); core tables after (a failing row is held "
        "back for review).</p><table><tr><th>table</th><th>checked</th><th>expectations</th>"
        "<th>pass rate</th><th></th><th>rows</th><th>rows failing</th></tr>"
        + "".join(
            f"<tr><td>{_e(t.table_name)}</td><td>{_e(LAYER_LABELS.get(t.layer, t.layer))}</td>"
            f"<td class='n'>{t.passed} / {t.expectations}</td>"
            f"<td class='n'>{t.rate:.1%}</td><td>{_bar(t.rate)}</td>"
            f"<td class='n'>{'' if t.rows is None else f'{t.rows:,}'}</td>"
            f"<td class='n'>{t.rows_failed:,}</td></tr>"
            for t in report.tables
        )
        + "</table></section>"
    )
    parts.append(
        "<section id='sources'><h2>Pass rates per source</h2><p class='muted'>Share of the records a "
        "source sent that were neither quarantined nor held back by a rule.</p><table><tr><th>source</th>"
        "<th>records</th><th>quarantined</th><th>held back</th><th>pass rate</th><th></th></tr>"
        + "".join(
            f"<tr><td>{_e(s.source_system)}</td><td class='n'>{s.landed:,}</td>"
            f"<td class='n'>{s.quarantined:,}</td>"
            f"<td class='n'>{s.flagged:,}</td><td class='n'>{s.rate:.1%}</td><td>{_bar(s.rate)}</td></tr>"
            for s in report.sources
        )
        + "</table></section>"
    )
    parts.append(_trend_section(report.trend))
    parts.append(_rules_section(report))
    parts.append(
        "<section id='reconciliation'><h2>Reconciliation: source vs warehouse</h2><p class='muted'>Distinct "
        "source records landed must equal those published plus those quarantined.</p><table><tr>"
        "<th>source</th><th>stream</th><th>landed</th><th>published</th><th>quarantined</th>"
        "<th>unaccounted</th><th>held back</th><th>reconciles</th></tr>"
        + "".join(
            f"<tr><td>{_e(s.source_system)}</td><td>{_e(s.stream)}</td><td class='n'>{s.landed:,}</td>"
            f"<td class='n'>{s.published:,}</td><td class='n'>{s.quarantined:,}</td>"
            f"<td class='n'>{s.unaccounted:,}</td><td class='n'>{s.flagged:,}</td>"
            + ("<td class='passed'>yes</td></tr>" if s.reconciles else "<td class='failed'>NO</td></tr>")
            for s in detail.reconciliation
        )
        + "</table></section>"
    )
    parts.append(_quarantine_section(report))
    parts.append("</body></html>")
    return "".join(parts)


def _trend_section(trend: Sequence[QualityRunRow]) -> str:
    head = "<section id='trend'><h2>Trend over recent runs</h2>"
    if len(trend) < 2:
        return head + "<p class='muted'>One run so far: the trend shows from the second run on.</p></section>"
    width, height, pad = 640, 160, 24
    step = (width - 2 * pad) / (len(trend) - 1)
    points = [(pad + i * step, height - pad - r.pass_rate * (height - 2 * pad)) for i, r in enumerate(trend)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(
        f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='#0969da'>"
        f"<title>{_e(r.started_at.isoformat(timespec='minutes'))}"
        f": {r.pass_rate:.1%}, {r.rows_failed} rows held back</title></circle>"
        for (x, y), r in zip(points, trend, strict=True)
    )
    svg = (
        f"<svg role='img' aria-label='pass rate per run' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}'><line x1='{pad}' y1='{pad}' x2='{width - pad}' y2='{pad}' "
        f"stroke='#eaeef2'/><text x='2' y='{pad + 4}' font-size='10'>100%</text>"
        f"<line x1='{pad}' y1='{height - pad}' x2='{width - pad}' y2='{height - pad}' stroke='#d0d7de'/>"
        f"<text x='2' y='{height - pad + 4}' font-size='10'>0%</text>"
        f"<polyline fill='none' stroke='#0969da' stroke-width='2' points='{line}'/>{dots}</svg>"
    )
    rows = "".join(
        f"<tr><td>{_e(r.started_at.isoformat(timespec='minutes'))}</td><td><code>{_e(r.run_id[:12])}</code></td>"
        f"<td class='{_e(r.status)}'>{_e(r.status)}</td><td class='n'>{r.pass_rate:.1%}</td>"
        f"<td class='n'>{r.rows_failed:,}</td></tr>"
        for r in reversed(trend)
    )
    return (
        head + svg + "<table><tr><th>started</th><th>run</th><th>status</th><th>pass rate</th>"
        f"<th>rows held back</th></tr>{rows}</table></section>"
    )


def _rules_section(report: QualityReport) -> str:
    head = "<section id='rules'><h2>Top failing rules</h2>"
    if not report.top_rules:
        return head + "<p class='passed'>Every rule held in this run.</p></section>"
    blocks = []
    for rule in report.top_rules:
        samples = report.samples.get(rule.rule, [])
        sample_rows = "".join(
            f"<tr><td class='n'>{_e(h.row_id)}</td><td>{_e(h.source_system or '')}</td>"
            f"<td>{_e(h.source_record_id or '')}</td><td><pre>{_e(_compact(h.values))}</pre></td></tr>"
            for h in samples
        )
        count = "structural" if rule.unexpected_count is None else f"{rule.unexpected_count:,} rows"
        blocks.append(
            f"<tr><td><code>{_e(rule.rule)}</code></td><td>{_e(rule.level)}</td>"
            f"<td class='n'>{_e(count)}</td><td>{_e(rule.reason)}"
            + (f"<br><span class='failed'>{_e(rule.exception)}</span>" if rule.exception else "")
            + (
                "<table><tr><th>row</th><th>source</th><th>record</th><th>values (masked)</th></tr>"
                f"{sample_rows}</table>"
                if sample_rows
                else ""
            )
            + "</td></tr>"
        )
    return (
        head
        + "<table><tr><th>rule</th><th>level</th><th>failing</th><th>reason and sample rows</th></tr>"
        + "".join(blocks)
        + "</table></section>"
    )


def _quarantine_section(report: QualityReport) -> str:
    head = "<section id='quarantine'><h2>Quarantined at loading</h2>"
    if not report.quarantine:
        return head + "<p class='muted'>No record is quarantined.</p></section>"
    rows = "".join(
        f"<tr><td>{_e(s)}</td><td>{_e(st)}</td><td><code>{_e(r)}</code></td><td class='n'>{n:,}</td></tr>"
        for s, st, r, n in report.quarantine
    )
    return (
        head
        + "<table><tr><th>source</th><th>stream</th><th>rule</th><th>records</th></tr>"
        + f"{rows}</table></section>"
    )


def _compact(values: dict[str, Any]) -> str:
    shown = {k: v for k, v in values.items() if k not in ("row_hash", "run_id", "loaded_at")}
    return orjson.dumps(shown, default=str).decode()


def _scope_note(run: QualityRunRow) -> str:
    if run.changed_since is None:
        return "<p class='muted'>Every rule checked whole tables.</p>"
    return (
        "<p class='muted'>Row-local rules checked the rows loaded since "
        f"{_e(run.changed_since.isoformat(timespec='seconds'))} and kept the earlier verdicts of the rest; "
        "every other rule checked whole tables.</p>"
    )


def _card(label: str, value: str) -> str:
    return f"<div class='card'><b>{_e(value)}</b><span class='muted'>{_e(label)}</span></div>"


def _bar(rate: float) -> str:
    return f"<span class='bar'><i style='width:{max(min(rate, 1.0), 0.0) * 100:.1f}%'></i></span>"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)

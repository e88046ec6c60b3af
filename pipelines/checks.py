"""The `reconciles` check of every read's two assets, evaluated in the step that materialises them.

`reconciles`: every record a source sent in this run is accounted for (published, quarantined, found
unchanged, or superseded by a later version of itself). Blocking: a stream that lost a record must
not feed anything downstream.

It is judged from the step's own reports. A check in a step of its own read the asset's latest
materialisation back from the instance, which another run (the hourly petitions job beside the
nightly ingest) may have written meanwhile, and cost a process of its own when steps run in
processes (`hub pipeline run`).

An asset that evaluates checks returns a bare `MaterializeResult`: Dagster recognises the class
itself as such an asset's return annotation, not a subscript of it (`MaterializeResult[None]`), which
strict mypy would ask for.
"""

from collections.abc import Sequence
from typing import Protocol

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

RECONCILES = "reconciles"


class ReconcilingReport(Protocol):
    @property
    def stream(self) -> str: ...

    @property
    def reconciles(self) -> bool: ...


def reconciles_spec(asset: AssetKey) -> AssetCheckSpec:
    """The blocking `reconciles` check of `asset`."""
    return AssetCheckSpec(
        RECONCILES,
        asset=asset,
        blocking=True,
        description="Every record the source sent in this run is published, quarantined, found "
        "unchanged or superseded",
    )


def reconciles_result(reports: Sequence[ReconcilingReport]) -> AssetCheckResult:
    """The check's verdict on one step's streams: it fails without any stream, or with one that lost
    a record."""
    streams = sorted(report.stream.split(".", 1)[1] for report in reports)
    broken = sorted(report.stream.split(".", 1)[1] for report in reports if not report.reconciles)
    return AssetCheckResult(
        check_name=RECONCILES,
        passed=bool(streams) and not broken,
        severity=AssetCheckSeverity.ERROR,
        metadata={"streams": ", ".join(streams), "not_reconciling": ", ".join(broken) or "none"},
    )

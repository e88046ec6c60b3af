"""Asset checks beside the assets they check.

`reconciles`: every record a source sent in this run is accounted for (published, quarantined, found
unchanged, or superseded by a later version of itself). Blocking: a stream that lost a record must
not feed anything downstream.

Dagster checks the `context` annotation when a check is defined: no postponed annotations here.
"""

from collections.abc import Sequence

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetsDefinition,
    asset_check,
)


def reconciliation_check(asset: AssetsDefinition) -> AssetChecksDefinition:
    """A blocking check that the asset's latest materialisation accounts for every fetched record."""

    @asset_check(asset=asset, name="reconciles", blocking=True, description=__doc__)
    def reconciles(context: AssetCheckExecutionContext) -> AssetCheckResult:
        event = context.instance.get_latest_materialization_event(asset.key)
        materialization = event.asset_materialization if event else None
        metadata = {
            key: value.value for key, value in (materialization.metadata if materialization else {}).items()
        }
        streams = sorted(key.removesuffix(".reconciles") for key in metadata if key.endswith(".reconciles"))
        broken = [stream for stream in streams if metadata[f"{stream}.reconciles"] is not True]
        return AssetCheckResult(
            passed=bool(streams) and not broken,
            severity=AssetCheckSeverity.ERROR,
            metadata={"streams": ", ".join(streams), "not_reconciling": ", ".join(broken) or "none"},
        )

    return reconciles


def reconciliation_checks(assets: Sequence[AssetsDefinition]) -> list[AssetChecksDefinition]:
    return [reconciliation_check(asset) for asset in assets]

"""The order publishes may run in: what each must wait for, and which go first when several may start."""

from __future__ import annotations

from dagster import AssetKey

from pipelines.assets.common import PRIORITY_TAG, STAGING_GATE
from pipelines.streams import SOURCES


def _publish_deps(name: str) -> set[AssetKey]:
    [source] = [s for s in SOURCES if s.publish.key == AssetKey(name)]
    return set(source.publish.asset_deps[source.publish.key])


def test_ratings_and_points_need_the_register_landed_not_published() -> None:
    # Every read lands before the staging gate opens, and a landed household counts as registered
    # (hub.warehouse.households.loading.registered_households): no other publish is waited for.
    for name in ("civil_affairs_household_ratings", "civil_affairs_moral_points"):
        assert _publish_deps(name) == {STAGING_GATE, AssetKey(["staging", name])}


def test_cases_and_tags_wait_for_the_register_and_the_grids() -> None:
    for name in ("public_security_incidents", "civil_affairs_benefits", "justice_mediation_cases"):
        assert {AssetKey("grid_registry"), AssetKey("public_security_households")} <= _publish_deps(name)


def test_the_publishes_on_a_first_loads_longest_chain_start_first() -> None:
    # Dagster starts the ready step of highest priority first: with the ratings and points ready at
    # the same moment as the registry, and the other cases with the incidents, the chain must not
    # queue behind them.
    prioritised = {
        source.publish.key.to_user_string()
        for source in SOURCES
        if int(source.publish.op.tags.get(PRIORITY_TAG, 0)) > 0
    }

    assert prioritised == {"grid_registry", "public_security_households", "public_security_incidents"}

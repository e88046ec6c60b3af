"""Households and cases are placed in grids however their department writes the address."""

from __future__ import annotations

from sqlalchemy import func, select

from hub.db.engine import make_engine, session_factory
from hub.simulator.model import County
from hub.warehouse.cases.models import Case
from hub.warehouse.grids.models import Grid
from hub.warehouse.households.models import Household
from tests.conftest import LoadedWarehouse


def test_noisy_addresses_still_find_their_grid(golden_county: County, noisy_load: LoadedWarehouse) -> None:
    engine = make_engine(noisy_load.url)
    with session_factory(engine)() as session:
        placed = dict(
            session.execute(select(Household.hh_no, Grid.code).join(Grid, Grid.id == Household.grid_id)).all()
        )
        households = session.scalar(select(func.count()).select_from(Household))
        cases, unplaced_cases = session.execute(
            select(func.count(), func.count().filter(Case.grid_id.is_(None)))
        ).one()
    engine.dispose()

    assert len(placed) == households
    truth = golden_county.households_by_no
    assert all(truth[hh_no].micro_grid_code == code for hh_no, code in placed.items())
    # A case without an address lives where its first party lives; almost every case finds a grid.
    assert unplaced_cases <= 0.02 * cases

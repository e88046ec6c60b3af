"""Address search: a substring of the registered address, answered from a trigram index on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, select, text

from hub.warehouse.households.models import Household

SEARCH = Household.address.contains("学圣路", autoescape=True)


def test_postgresql_answers_address_search_from_the_trigram_index(engine: Engine) -> None:
    indexes = {index["name"] for index in inspect(engine).get_indexes("households")}
    if engine.dialect.name != "postgresql":
        assert "ix_households_address_trgm" not in indexes, "SQLite has no trigram index and scans"
        return
    statement = select(Household.id).where(SEARCH)
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        # On an empty table the planner would scan anyway; forbid that to see whether it can use the index.
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(connection.execute(text(f"EXPLAIN {compiled}")).scalars())

    assert "ix_households_address_trgm" in indexes
    assert "ix_households_address_trgm" in plan, plan

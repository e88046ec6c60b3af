"""One DataLoader per relation per request, so a page costs the same statements whatever its size.

Each batch runs its service function on the event loop's thread, in the operation's one session
(`hub.api.database`). Measured on the benchmark (bench/graphql.py): handing each batch to a worker
thread cost more than the statement itself, and a request's batches run one after another anyway.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from strawberry.dataloader import AbstractCache, DataLoader

from hub.api.database import RequestSession
from hub.warehouse.cases import service as cases
from hub.warehouse.divisions import service as divisions
from hub.warehouse.grids import service as grids
from hub.warehouse.households import service as households
from hub.warehouse.persons import service as persons
from hub.warehouse.tags import service as tags
from hub.warehouse.viewer import Viewer

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _KeyedCache(dict[Hashable, "asyncio.Future[Any]"], AbstractCache[Any, Any]):
    """A loader's futures keyed by the key itself, looked up by the dict's own methods.

    Strawberry's default cache passes every key through a key function, two Python calls per look-up;
    the benchmark's page of 100 households looks up about 4,500 keys.
    """

    get = dict.get  # type: ignore[assignment]
    set = dict.__setitem__  # type: ignore[assignment]
    delete = dict.__delitem__  # type: ignore[assignment]
    clear = dict.clear


def _loader(
    database: RequestSession, fetch: Callable[[Session, Sequence[K]], Mapping[K, V]]
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> list[V | None]:
        found = fetch(database.get(), keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, cache_map=_KeyedCache())


def _list_loader(
    database: RequestSession, fetch: Callable[[Session, Sequence[int]], Mapping[int, list[V]]]
) -> DataLoader[int, list[V]]:
    async def load(keys: list[int]) -> list[list[V]]:
        found = fetch(database.get(), keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, cache_map=_KeyedCache())


async def load_all(loader: DataLoader[K, V], keys: Iterable[K]) -> list[V]:
    """The loader's values for `keys`, in order, without suspending when it holds them all already.

    `DataLoader.load_many` gathers even done futures, which always suspends (see `hub.api.eager`).
    Held values are read off the loader's cache directly: `DataLoader.load` per key was a few
    percent of the page of 100 households.
    """
    keys = list(keys)
    cache = loader.cache_map
    held = [cache.get(key) for key in keys]
    if all(future is not None and future.done() and not future.cancelled() for future in held):
        return [future.result() for future in held]  # type: ignore[union-attr]
    return list(await asyncio.gather(*(loader.load(key) for key in keys)))


def prime(loader: DataLoader[K, V], values: Mapping[K, V]) -> None:
    """`DataLoader.prime_many`: each key the loader holds nothing for gets a resolved future.

    Keys a resolver already waits for in a batch not yet sent are settled by Strawberry's own
    `prime_many`; otherwise the futures are made here, without its per-key look-up of the loop.
    """
    batch = loader.batch
    if not loader.cache or (batch is not None and not batch.dispatched):
        loader.prime_many(values)
        return
    cache, create = loader.cache_map, loader.loop.create_future
    for key, value in values.items():
        if cache.get(key) is None:
            future = create()
            future.set_result(value)
            cache.set(key, future)


async def load_batch(loader: DataLoader[K, V], keys: Iterable[K]) -> list[V]:
    """The loader's values for `keys`, reading those it does not hold yet in one batch of their own.

    For `hub.api.prefetch`, which has every parent at hand: handing the loader each key costs a
    future, a callback and a scheduled call apiece (measured: 0.75 ms for 300 keys, against 0.1 ms
    for calling its batch function once and priming it with the rows found).
    """
    keys = list(keys)
    cache = loader.cache_map
    missing = [key for key in dict.fromkeys(keys) if cache.get(key) is None]
    if missing:
        found = zip(missing, await loader.load_fn(missing), strict=True)
        prime(loader, {key: value for key, value in found if not isinstance(value, BaseException)})
    return await load_all(loader, keys)


@dataclass(frozen=True)
class Loaders:
    """The request's loaders; entity loaders apply the viewer's scope, relation loaders follow them."""

    household: DataLoader[int, households.HouseholdRow | None]
    person: DataLoader[int, persons.PersonRow | None]
    case: DataLoader[int, cases.CaseRow | None]
    grid: DataLoader[int, grids.GridRow | None]
    division: DataLoader[int, divisions.DivisionRow | None]
    division_by_code: DataLoader[str, divisions.DivisionRow | None]
    members_by_household: DataLoader[int, list[households.MemberRow]]
    ratings_by_household: DataLoader[int, list[households.RatingRow]]
    moral_points_by_household: DataLoader[int, list[households.MoralPointRow]]
    households_by_person: DataLoader[int, list[int]]
    tags_by_person: DataLoader[int, list[tags.TagRow]]
    cases_by_person: DataLoader[int, list[cases.CaseRow]]
    sources_by_person: DataLoader[int, list[persons.PersonSourceRow]]
    parties_by_case: DataLoader[int, list[cases.PartyRow]]
    links_by_case: DataLoader[int, list[cases.LinkRow]]
    events_by_case: DataLoader[int, list[cases.EventRow]]
    # Relations read together with the rows at their other end, for `hub.api.prefetch`, which primes
    # the two loaders above them (the relation's and the entity's) with what they find.
    member_persons_by_household: DataLoader[int, list[tuple[households.MemberRow, persons.PersonRow | None]]]
    party_persons_by_case: DataLoader[int, list[tuple[cases.PartyRow, persons.PersonRow | None]]]
    linked_by_case: DataLoader[int, list[tuple[cases.LinkRow, cases.CaseRow | None]]]
    children_by_grid: DataLoader[int, list[grids.GridRow]]
    workers_by_grid: DataLoader[int, list[grids.GridWorkerRow]]
    statistics_by_grid: DataLoader[str, grids.GridStatisticsRow | None]


def build_loaders(database: RequestSession, viewer: Viewer, *, today: dt.date) -> Loaders:
    """Fresh loaders for one request (their caches must never outlive it)."""
    return Loaders(
        household=_loader(
            database, lambda s, ids: households.get_households(session=s, viewer=viewer, ids=ids)
        ),
        person=_loader(database, lambda s, ids: persons.get_persons(session=s, viewer=viewer, ids=ids)),
        case=_loader(database, lambda s, ids: cases.get_cases(session=s, viewer=viewer, ids=ids)),
        grid=_loader(database, lambda s, ids: grids.get_grids(session=s, viewer=viewer, ids=ids)),
        division=_loader(database, lambda s, ids: divisions.get_divisions(session=s, ids=ids)),
        division_by_code=_loader(
            database, lambda s, codes: divisions.get_divisions_by_code(session=s, codes=codes)
        ),
        members_by_household=_list_loader(
            database, lambda s, ids: households.members_of_households(session=s, household_ids=ids)
        ),
        ratings_by_household=_list_loader(
            database, lambda s, ids: households.ratings_of_households(session=s, household_ids=ids)
        ),
        moral_points_by_household=_list_loader(
            database, lambda s, ids: households.moral_points_of_households(session=s, household_ids=ids)
        ),
        households_by_person=_list_loader(
            database, lambda s, ids: households.households_of_persons(session=s, person_ids=ids)
        ),
        tags_by_person=_list_loader(
            database, lambda s, ids: tags.tags_of_persons(session=s, viewer=viewer, person_ids=ids)
        ),
        cases_by_person=_list_loader(
            database, lambda s, ids: cases.cases_of_persons(session=s, viewer=viewer, person_ids=ids)
        ),
        sources_by_person=_list_loader(
            database, lambda s, ids: persons.sources_of_persons(session=s, person_ids=ids)
        ),
        parties_by_case=_list_loader(
            database, lambda s, ids: cases.parties_of_cases(session=s, case_ids=ids)
        ),
        links_by_case=_list_loader(database, lambda s, ids: cases.links_of_cases(session=s, case_ids=ids)),
        events_by_case=_list_loader(database, lambda s, ids: cases.events_of_cases(session=s, case_ids=ids)),
        member_persons_by_household=_list_loader(
            database,
            lambda s, ids: persons.members_with_persons(session=s, viewer=viewer, household_ids=ids),
        ),
        party_persons_by_case=_list_loader(
            database, lambda s, ids: persons.parties_with_persons(session=s, viewer=viewer, case_ids=ids)
        ),
        linked_by_case=_list_loader(
            database, lambda s, ids: cases.links_with_cases(session=s, viewer=viewer, case_ids=ids)
        ),
        children_by_grid=_list_loader(
            database, lambda s, ids: grids.children_of_grids(session=s, viewer=viewer, grid_ids=ids)
        ),
        workers_by_grid=_list_loader(
            database, lambda s, ids: grids.workers_of_grids(session=s, grid_ids=ids)
        ),
        statistics_by_grid=_loader(
            database,
            lambda s, codes: grids.statistics_of_grids(
                session=s, viewer=viewer, grid_codes=codes, today=today
            ),
        ),
    )

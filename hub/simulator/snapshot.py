"""On-disk snapshots: a county's served streams written once, then served without regenerating it.

`write_snapshot(county, noise=…, out=DIR)` writes one JSON Lines file per stream
(`<stream>.jsonl`, one served record per line: `key`, `changed`, `entity`, `persons`, `item`),
`defects.jsonl` (as in the truth folder) and `snapshot.json` (`format`, `seed`, `scale`, `noise`,
`sim_now`, per-stream `records`). Streams are built, noised, written and released one at a time,
so peak memory is the county plus its largest stream, not every payload at once.

`load_snapshot(DIR)` reads the records back; `app.create_app_from_snapshot` serves them. There is
one path to the bytes: a snapshot holds exactly the items `catalog.serve_county` builds (orjson
keeps key order and values), so a server reading the snapshot and one holding the county serve the
same bytes for the same seed, scale and noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from hub.simulator.catalog import STREAMS
from hub.simulator.departments.listing import Listed
from hub.simulator.model import County
from hub.simulator.noise import SecondIds, apply_noise
from hub.simulator.profiles import NoiseProfile, noise_profile

FORMAT = "hub-simulator-snapshot/1"
MANIFEST = "snapshot.json"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A snapshot read back: its manifest and every stream's records, in served order."""

    manifest: dict[str, Any]
    records: dict[str, list[Listed]]

    @property
    def seed(self) -> int:
        seed: int = self.manifest["seed"]
        return seed


def write_snapshot(county: County, *, noise: NoiseProfile | str = "clean", out: Path) -> dict[str, Any]:
    """Write every served stream of `county` under `noise` into `out` (created); return the manifest."""
    profile = noise_profile(noise) if isinstance(noise, str) else noise
    out.mkdir(parents=True, exist_ok=True)
    second_ids = SecondIds(county.seed, set() if profile.is_clean else set(county.persons_by_id_number))
    counts: dict[str, int] = {}
    with (out / "defects.jsonl").open("wb") as defects_file:
        for stream in STREAMS:
            records = stream.build(county)
            if stream.shape is not None:
                outcome = apply_noise(
                    records,
                    department=stream.department,
                    stream=stream.name,
                    shape=stream.shape,
                    profile=profile,
                    seed=county.seed,
                    second_ids=second_ids,
                    count_eligible=False,
                )
                records = outcome.records
                defects_file.writelines(orjson.dumps(d.as_json()) + b"\n" for d in outcome.defects)
            with (out / f"{stream.name}.jsonl").open("wb") as stream_file:
                stream_file.writelines(_line(record) for record in records)
            counts[stream.name] = len(records)
            del records  # release this stream before building the next
    manifest = {
        "format": FORMAT,
        "seed": county.seed,
        "scale": county.scale,
        "noise": profile.name,
        "sim_now": county.now.isoformat(),
        "records": counts,
    }
    (out / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


def load_snapshot(folder: Path) -> Snapshot:
    """Read a snapshot written by `write_snapshot`."""
    manifest = orjson.loads((folder / MANIFEST).read_bytes())
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{folder} is not a {FORMAT} snapshot")
    records: dict[str, list[Listed]] = {}
    for stream in STREAMS:
        with (folder / f"{stream.name}.jsonl").open("rb") as stream_file:
            records[stream.name] = [_listed(orjson.loads(line)) for line in stream_file]
    return Snapshot(manifest, records)


def _line(record: Listed) -> bytes:
    return (
        orjson.dumps(
            {
                "key": record.key,
                "changed": record.changed.isoformat(),
                "entity": record.entity,
                "persons": record.persons,
                "item": record.item,
            }
        )
        + b"\n"
    )


def _listed(row: dict[str, Any]) -> Listed:
    return Listed(
        row["key"],
        dt.datetime.fromisoformat(row["changed"]),
        row["item"],
        entity=row["entity"],
        persons=tuple(row["persons"]),
    )

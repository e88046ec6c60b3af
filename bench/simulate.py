"""Benchmark: generate a county and write its on-disk snapshot; print persons/s and peak RSS.

    .venv/bin/python -m bench.simulate [--scale 1000000] [--seed 20261126] [--noise realistic]

Issue 4 asks for 1,000,000 persons in under 3 minutes with peak memory under 2 GiB on a 2-core
machine; the figures are printed (with those limits beside them), never asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from hub.simulator.county import GOLDEN_SEED, generate_county
from hub.simulator.snapshot import write_snapshot

_TIME_LIMIT_SECONDS = 180
_RSS_LIMIT_MIB = 2048


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=GOLDEN_SEED)
    parser.add_argument("--noise", default="realistic")
    parser.add_argument("--workers", type=int, default=1, help="Processes generating villages.")
    parser.add_argument("--out", type=Path, default=None, help="Snapshot folder (default: a temporary one).")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hub-snapshot-") as temporary:
        out = args.out or Path(temporary)
        started = time.perf_counter()
        county = generate_county(seed=args.seed, scale=args.scale, workers=args.workers)
        generated = time.perf_counter()
        rss_after_generation = _peak_rss_mib()
        manifest = write_snapshot(county, noise=args.noise, out=out)
        finished = time.perf_counter()
        size = sum(path.stat().st_size for path in out.iterdir()) / 2**20

    total = finished - started
    records = sum(manifest["records"].values())
    print(
        f"scale            {args.scale:>12,} persons "
        f"(seed {args.seed}, noise {args.noise}, workers {args.workers})"
    )
    print(f"generate         {generated - started:>12.1f} s")
    print(f"write snapshot   {finished - generated:>12.1f} s   {records:,} records, {size:,.0f} MiB on disk")
    print(f"total            {total:>12.1f} s   (limit {_TIME_LIMIT_SECONDS} s)")
    print(f"persons/s        {args.scale / total:>12,.0f}")
    # On a shared machine wall time includes waiting for a core; CPU time (this process only, not
    # worker processes) is what the work costs.
    cpu = _cpu_seconds()
    print(f"CPU time         {cpu:>12.1f} s   ({args.scale / cpu:,.0f} persons per CPU-second)")
    print(
        f"peak RSS         {_peak_rss_mib():>12,.0f} MiB "
        f"(after generation {rss_after_generation:,.0f} MiB; limit {_RSS_LIMIT_MIB} MiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The installed stack is the one DESIGN §10 pins, not what an unpinned resolver backtracks to."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["dagster_postgres", "dagster_celery", "dagster_webserver"])
def test_dagster_integrations_import(module: str) -> None:
    # The 0.11-era integrations install fine and fail only here ("No module named 'dagster.core'").
    importlib.import_module(module)


def test_dagster_family_is_pinned_together() -> None:
    versions = {
        name: importlib.metadata.version(name) for name in ("dagster", "dagster-postgres", "dagster-celery")
    }
    core_minor = int(versions["dagster"].split(".")[1])
    for integration in ("dagster-postgres", "dagster-celery"):
        assert versions[integration].startswith(f"0.{core_minor + 16}."), versions


def test_api_start_up_does_not_import_great_expectations() -> None:
    # GX takes ~3 s to import (DESIGN §10); a fresh interpreter shows what start-up really loads.
    check = "import sys, hub.api.app, pipelines.definitions; sys.exit('great_expectations' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", check], check=False, timeout=120).returncode == 0

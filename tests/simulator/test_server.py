from __future__ import annotations

import pytest
import requests

from hub.simulator import County
from hub.simulator.server import running_simulator


def test_running_simulator_serves_on_a_free_loopback_port_until_exit(golden_county: County) -> None:
    with running_simulator(county=golden_county) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert requests.get(base_url + "/registry/divisions", timeout=5).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/registry/divisions", timeout=5)


def test_two_simulators_run_side_by_side(golden_county: County) -> None:
    with running_simulator(county=golden_county) as first, running_simulator(county=golden_county) as second:
        assert first != second
        assert (
            requests.get(first + "/registry/grids", timeout=5).content
            == requests.get(second + "/registry/grids", timeout=5).content
        )

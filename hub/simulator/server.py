"""Running the simulator on a loopback port in a background thread, for tests and local pipelines."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from hub.simulator.app import create_app, create_app_from_snapshot
from hub.simulator.model import County
from hub.simulator.settings import SimulatorSettings
from hub.simulator.snapshot import Snapshot

_START_TIMEOUT_SECONDS = 10.0


@contextmanager
def running_simulator(
    *,
    county: County | None = None,
    snapshot: Snapshot | None = None,
    settings: SimulatorSettings | None = None,
    clock: Callable[[], float] = time.monotonic,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[str]:
    """Serve `county` with uvicorn in a daemon thread and yield its base URL (`http://127.0.0.1:PORT`).

    Port 0 picks a free port. The server stops when the block exits. Pass a `snapshot` (see
    `hub.simulator.snapshot`) instead of a county to serve one read from disk.
    """
    if (county is None) == (snapshot is None):
        raise ValueError("running_simulator serves a county or a snapshot, exactly one")
    chosen = settings or SimulatorSettings()
    if county is not None:
        app = create_app(county=county, settings=chosen, clock=clock)
    else:
        assert snapshot is not None
        app = create_app_from_snapshot(snapshot=snapshot, settings=chosen, clock=clock)
    with serving(app, host=host, port=port) as url:
        yield url


@contextmanager
def serving(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve any ASGI `app` with uvicorn in a daemon thread; yield its base URL until the block exits."""
    # Binding the socket here, not in uvicorn, is what tells us the port before the server starts.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    # The registry sends its own `Date` (its clock is the simulated now): uvicorn must not add one.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", date_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="asgi-server")
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=_START_TIMEOUT_SECONDS)
        sock.close()

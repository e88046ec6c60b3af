"""The simulated county and its five department systems, standing in for other organisations.

The simulator knows nothing of the rest of `hub`: it plays the departments the hub pulls from, so
it must not share their code or their assumptions.

Pieces:

- `county.generate_county(seed=, scale=)` builds the ground truth (`model.County`): the division
  tree of 浙江省杭州市桐庐县 (330122) with grids and micro-grids (`divisions`), households and people
  with valid GB 11643 ID numbers (`population`, `identity`), special populations (`tags`),
  十星级文明户 ratings and 道德银行 points (`civility`) and the departments' cases with their
  cross-references (`cases`). Each village draws from its own random
  streams derived from (seed, village code), and simulated time stands still at `model.SIM_NOW`
  (2026-11-01 00:00 +08:00), so one seed and scale always give the same county.
- `departments/` turns the truth into each department's payload and serves it with that
  department's auth, pagination, encodings and "changed since" parameter, exactly as
  `schema/contracts/README.md` describes.
- `catalog.serve_county(county, noise=)` builds every served stream (`catalog.STREAMS`) and applies
  a noise profile (`noise`, `profiles`), listing every injected defect.
- `app.create_app(county=, settings=)` mounts the five under one Starlette app, with the fault
  profile as middleware (`faults`); `server.running_simulator(county=)` runs it on a free loopback
  port for tests; `cli` is `hub simulate serve | truth | advance | snapshot`.
- `truth.write_truth` exports the ground truth; `timeline.advance_county` moves simulated time;
  `snapshot` writes and reads served streams on disk (the path for a million persons).

`README.md` in this folder documents the profiles, the truth format and the advance mechanism.

The golden county (`GOLDEN_SEED` 20261126, `GOLDEN_SCALE` 2,000 persons) is the one every test and
demo shares: about 700 households in 8 villages, with every kind of record and several households
whose members carry a civil-affairs benefit and also a justice or petition case.
"""

from hub.simulator.county import GOLDEN_SCALE, GOLDEN_SEED, generate_county
from hub.simulator.model import SIM_NOW, County
from hub.simulator.settings import SimulatorSettings

__all__ = ["GOLDEN_SCALE", "GOLDEN_SEED", "SIM_NOW", "County", "SimulatorSettings", "generate_county"]

"""Put on PYTHONPATH by `pytest --shift-clock=DAYS` (mesocentre/core/testing.py): a Python process the tests start
(a worker, the command line) runs with the same shifted clock as the tests that started it."""

import os

days = os.environ.get("MESOCENTRE_TEST_CLOCK_SHIFT_DAYS")
if days:
    from mesocentre.core.testing import shift_clock

    shift_clock(int(days))

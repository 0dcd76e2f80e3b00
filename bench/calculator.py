"""Price baskets of 1, 10 and 100 items through the calculator's one door (the API's serializer, then the quote), and
print the time per item against the 1-item basket measured in the same run.

    python bench/calculator.py [--repeat 20]

The database is MESOCENTRE_DATABASE_URL if set (it must hold the demo, or be empty: the demo is loaded), otherwise a
throwaway SQLite file with the demo loaded by ``mesocentre.core.demo.load_demo()``. The baskets mix the page's
kinds (VMs of each tier, HPC hours, storage, a rack), so every plan, component and price is read. With a constant
number of queries per quote, an item costs less in a large basket than alone: the ratio stays at or below 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ITEMS = [
    {"kind": "cloud-vm", "tier": "bronze", "vcpu": 2, "ram_gb": 4, "disk_gb": 50},
    {"kind": "cloud-vm", "tier": "silver", "vcpu": 4, "ram_gb": 8, "disk_gb": 100},
    {"kind": "cloud-vm", "tier": "gold", "vcpu": 2, "ram_gb": 4, "disk_gb": 50},
    {"kind": "hpc", "core_hours": "100000", "gpu_hours": "500"},
    {"kind": "storage", "storage_gb": "1000"},
    {"kind": "rack", "kwh": "50000"},
]
SIZES = (1, 10, 100)


def setup_django() -> None:
    if "MESOCENTRE_DATABASE_URL" not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="mesocentre-bench-")) / "bench.sqlite3"
        os.environ["MESOCENTRE_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from mesocentre.core.demo import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    load_demo()


def time_basket(size: int, repeat: int) -> tuple[float, int]:
    """The best of ``repeat`` runs (seconds) for a basket of ``size`` items, and its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mesocentre.billing.api.serializers import QuoteRequestSerializer

    basket = {"period": "year", "items": [ITEMS[n % len(ITEMS)] for n in range(size)]}
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            serializer = QuoteRequestSerializer(data=basket)
            serializer.is_valid(raise_exception=True)
            serializer.create_quote().as_dict()
        best = min(best, time.perf_counter() - start)
    return best, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per basket size; the best one counts")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    time_basket(1, 3)  # warm up: imports, translations, the connection
    print(f"database: {connection.vendor}; best of {args.repeat} runs per basket")
    print(f"{'items':>5}  {'queries':>7}  {'total ms':>9}  {'ms / item':>9}  {'per item vs 1 item':>18}")
    baseline = None
    for size in SIZES:
        seconds, queries = time_basket(size, args.repeat)
        per_item = seconds / size
        baseline = baseline or per_item
        print(
            f"{size:>5}  {queries:>7}  {seconds * 1000:>9.2f}  {per_item * 1000:>9.3f}  {per_item / baseline:>17.2f}×"
        )


if __name__ == "__main__":
    main()

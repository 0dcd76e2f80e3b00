"""Draft and issue a quarter's invoices for 50 establishments from a million sacct job records, PDFs and Factur-X
included, against the limit of the same run (a raw COPY of the records' file into a bare table).

    python bench/invoicing.py [--n 1000000] [--establishments 50] [--projects-each 10]

Starts its own PostgreSQL (``scripts/postgres.sh``, under a temporary directory, stopped at the end), migrates it,
loads the catalogue's prices, creates ``--establishments`` companies (their hours are invoiced) with
``--projects-each`` projects each, writes an sacct file of ``--n`` jobs ending in 2026Q3 (a quarter that has ended
whatever the day the bench runs), imports it with ``usage import-sacct``'s path, then times:

- draft: ``rating.draft`` of every establishment for 2026Q3 (what ``invoices draft`` and the drafts page compute);
- issue: ``invoicing.issue`` of every establishment (the draft again, numbering, the lines written);
- documents: each invoice's PDF/A-3 and its Factur-X PDF (CII XML built, embedded, the PDF made again);
- and checks that the invoices' totals equal the drafts' to the cent and their numbers have no gap.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from usage_import import raw_copy, start_postgres  # noqa: E402

QUARTER = "2026Q3"
AIM_SECONDS = 30


def siret(n: int) -> str:
    """A SIRET (14 digits) whose Luhn check holds: 13 digits from ``n``, then the check digit."""
    body = f"{7300000000000 + n:013d}"
    for last in "0123456789":
        digits = [int(c) for c in body + last]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return body + last
    raise AssertionError


def make_establishments(count: int, each: int) -> list[str]:
    from mesocentre.projects.models import Project
    from mesocentre.projects.naming import account_name
    from mesocentre.tenancy.models import Establishment, Laboratory, ScientificTheme

    theme, _ = ScientificTheme.objects.get_or_create(code="fluids", defaults={"name": "Fluids"})
    accounts = []
    for e in range(count):
        establishment = Establishment(
            code=f"co{e:02d}", name=f"Company {e:02d}", kind=Establishment.Kind.COMPANY, siret=siret(e),
            address=f"{e} rue de la Paix\n31000 Toulouse",
        )  # fmt: skip
        establishment.full_clean()
        establishment.save()
        lab = Laboratory.objects.create(code=f"lab{e:02d}", name=f"Lab {e:02d}", theme=theme)
        lab.establishments.set([establishment])
        for p in range(each):
            code = f"c{e:02d}p{p:02d}"
            Project.objects.create(code=code, title=f"Project {code}", laboratory=lab,
                                   paying_establishment=establishment, theme=theme,
                                   starts_on=datetime.date(2026, 1, 1))  # fmt: skip
            accounts.append(account_name(code))
    return accounts


def write_sacct(path: Path, n: int, accounts: list[str]) -> None:
    """``n`` jobs ending in 2026Q3 (one submitted every 7 s from July 1st), spread over the accounts."""
    import random

    rng = random.Random(14)
    start = datetime.datetime(2026, 7, 1)
    with open(path, "w") as out:
        out.write("JobIDRaw|Cluster|Account|User|Submit|Start|End|ElapsedRaw|AllocTRES|State\n")
        lines = []
        for job in range(1, n + 1):
            submit = start + datetime.timedelta(seconds=job * 7)
            began = submit + datetime.timedelta(seconds=rng.randrange(600))
            elapsed = rng.randrange(60, 7200)
            ended = min(began + datetime.timedelta(seconds=elapsed), datetime.datetime(2026, 9, 30, 23, 0))
            cpus = rng.choice((1, 4, 16, 32, 64))
            tres = f"billing={cpus},cpu={cpus},mem={cpus * 4}G,node=1"
            if job % 20 == 0:
                tres += ",gres/gpu=2,gres/gpu:v100=2"
            lines.append(f"{job}|meso|{accounts[job % len(accounts)]}|u{job % 997}|{submit:%Y-%m-%dT%H:%M:%S}|"
                         f"{began:%Y-%m-%dT%H:%M:%S}|{ended:%Y-%m-%dT%H:%M:%S}|{elapsed}|{tres}|COMPLETED\n")  # fmt: skip
            if len(lines) == 100_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)


def documents_of(invoice) -> int:
    """The invoice's PDF/A-3 and Factur-X PDF; their size in bytes (so that nothing is optimised away)."""
    from mesocentre.billing.documents.facturx import facturx_pdf
    from mesocentre.billing.documents.pdf import invoice_pdf

    printed = invoice_pdf(invoice, "fr")
    return len(printed) + len(facturx_pdf(invoice, printed, "fr"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="jobs in the sacct file")
    parser.add_argument("--establishments", type=int, default=50)
    parser.add_argument("--projects-each", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mesocentre-bench-invoicing-"))
    work.chmod(0o755)  # the server runs as the postgres user
    try:
        os.environ["MESOCENTRE_DATABASE_URL"] = start_postgres(work / "pg")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesocentre.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from mesocentre.billing import invoicing, rating
        from mesocentre.catalogue import demo as catalogue_demo
        from mesocentre.metering.sacct import file_blocks, import_sacct
        from mesocentre.tenancy.models import Establishment

        call_command("migrate", interactive=False, verbosity=0)
        catalogue_demo.load(datetime.date(2026, 1, 1))
        accounts = make_establishments(args.establishments, args.projects_each)
        path = work / "sacct.txt"
        write_sacct(path, args.n, accounts)
        copy_s = raw_copy(path)
        begin = time.perf_counter()
        report = import_sacct(file_blocks(path))
        import_s = time.perf_counter() - begin
        assert report.imported == args.n and report.refused == 0, report.as_json()
        print(f"{args.n:,} jobs of {len(accounts)} projects, {args.establishments} establishments, {QUARTER}")
        print(f"raw COPY of the records' file:       {copy_s:7.2f} s   (the baseline)")
        print(f"import-sacct:                        {import_s:7.2f} s   ({import_s / copy_s:.1f}× COPY)")

        quarter = rating.Quarter.parse(QUARTER)
        establishments = list(Establishment.objects.order_by("code"))
        begin = time.perf_counter()
        drafts = {e.code: rating.draft(e, quarter) for e in establishments}
        draft_s = time.perf_counter() - begin
        lines = sum(len(d.lines) for d in drafts.values())
        print(f"draft {len(drafts)} establishments ({lines} lines): {draft_s:7.2f} s   ({draft_s / copy_s:.1f}× COPY)")

        begin = time.perf_counter()
        invoices = [invoicing.issue(e, quarter).invoice for e in establishments]
        issue_s = time.perf_counter() - begin
        print(f"issue {len(invoices)} invoices:                {issue_s:7.2f} s   ({issue_s / copy_s:.1f}× COPY)")
        assert all(i is not None for i in invoices)
        for invoice in invoices:
            assert invoice.total_ht == drafts[invoice.establishment.code].total_ht, invoice.number
        numbers = sorted(int(i.number.rsplit("-", 1)[1]) for i in invoices)
        assert numbers == list(range(1, len(invoices) + 1)), "numbers with a gap"

        begin = time.perf_counter()
        size = sum(documents_of(invoice) for invoice in invoices)
        documents_s = time.perf_counter() - begin
        print(f"PDF/A-3 + Factur-X of each invoice:  {documents_s:7.2f} s   ({size / 1e6:.1f} MB)")
        total = draft_s + issue_s + documents_s
        print(f"draft + issue + documents:           {total:7.2f} s   = {total / AIM_SECONDS:.0%} of the 30 s aim")
        return 0
    finally:
        subprocess.run([str(ROOT / "scripts" / "postgres.sh"), "stop", str(work / "pg")], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""The permission cases of the reports (pages and API), part of scoping_cases.CASES: operators read every
establishment's figures, an establishment's managers theirs (what they read is checked for B's markers like every
page), nobody else any. mesocentre/reports/tests/test_scoping_reports.py proves A's manager gets none of B's rows."""

from scoping_table import Case, api
from scoping_world import MANAGERS_A

REPORT_CASES: list[Case] = [
    Case("reports:usage", readers=MANAGERS_A, tenant=False, why="a manager's figures are their establishment's"),
    Case("reports:utilisation", readers=MANAGERS_A, tenant=False, why="the clusters' figures, no tenant's"),
    api("reports-api:usage", readers=MANAGERS_A, tenant=False),
    api("reports-api:utilisation", readers=MANAGERS_A, tenant=False),
]

"""The permission cases of the resources app's pages, part of scoping_cases.CASES."""

RESOURCE_PORTAL_CASES: list = []

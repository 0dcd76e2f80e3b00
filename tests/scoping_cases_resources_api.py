"""The permission cases of the resources app's API, part of scoping_cases.CASES."""

RESOURCE_API_CASES: list = []

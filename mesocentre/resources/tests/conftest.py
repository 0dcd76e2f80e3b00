# The world of projects' tests (an establishment, a laboratory, a project with its PI, an outsider).
from mesocentre.projects.tests.conftest import w  # noqa: F401

# The world of projects' tests (an establishment, a laboratory, a project, a call with an open round) is HPC's too.
from mesocentre.projects.tests.conftest import decided, w  # noqa: F401

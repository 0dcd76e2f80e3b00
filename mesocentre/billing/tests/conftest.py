# The projects' world (w, decided) and the offer's catalogue and capacity beside it (shop), for rating's tests.
from mesocentre.projects.tests.conftest import decided, w  # noqa: F401
from mesocentre.resources.tests.conftest import shop  # noqa: F401

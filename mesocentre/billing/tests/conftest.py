# The projects' world (w, decided) and the offer's catalogue and capacity beside it (shop), for rating's tests; the
# issued invoices' world (billed: the CNRS's project and a second establishment's), for the pages' tests.
from mesocentre.billing.tests.test_invoicing import billed  # noqa: F401
from mesocentre.projects.tests.conftest import decided, w  # noqa: F401
from mesocentre.resources.tests.conftest import shop  # noqa: F401

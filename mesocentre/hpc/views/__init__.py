"""Portal pages of HPC hours: thin, they call ``services`` and render; every lookup goes through ``visible_to``."""

from mesocentre.hpc.views.allocations import (  # noqa: F401
    allocation_list,
    allocation_status,
    change_request_create,
    change_request_decide,
    change_request_list,
)
from mesocentre.hpc.views.assignments import assignment_list  # noqa: F401
from mesocentre.hpc.views.calls import (  # noqa: F401
    call_create,
    call_detail,
    call_list,
    round_budget_create,
    round_budget_delete,
    round_close,
    round_create,
)
from mesocentre.hpc.views.committee import decide, request_create, review_form, round_detail  # noqa: F401
from mesocentre.hpc.views.requests import request_edit, request_list, request_withdraw  # noqa: F401

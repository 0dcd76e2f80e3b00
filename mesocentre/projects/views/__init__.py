"""Portal pages: thin, they call ``services`` and render; every lookup goes through ``visible_to``."""

from mesocentre.projects.views.allocations import (  # noqa: F401
    allocation_list,
    allocation_status,
    change_request_create,
    change_request_decide,
    change_request_list,
)
from mesocentre.projects.views.assignments import assignment_list  # noqa: F401
from mesocentre.projects.views.calls import (  # noqa: F401
    call_create,
    call_detail,
    call_list,
    round_budget_create,
    round_budget_delete,
    round_close,
    round_create,
)
from mesocentre.projects.views.committee import decide, request_create, review_form, round_detail  # noqa: F401
from mesocentre.projects.views.creation import project_create  # noqa: F401
from mesocentre.projects.views.impact import (  # noqa: F401
    grant_create,
    grant_delete,
    publication_create,
    publication_delete,
)
from mesocentre.projects.views.project_pages import member_remove, project_close, project_detail, project_list  # noqa: F401
from mesocentre.projects.views.requests import request_edit, request_withdraw  # noqa: F401

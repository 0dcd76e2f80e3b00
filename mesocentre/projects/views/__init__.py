"""Portal pages of projects: thin, they call ``services`` and render; every lookup goes through ``visible_to``."""

from mesocentre.projects.views.creation import project_create  # noqa: F401
from mesocentre.projects.views.impact import (  # noqa: F401
    grant_create,
    grant_delete,
    publication_create,
    publication_delete,
)
from mesocentre.projects.views.project_pages import (  # noqa: F401
    member_list,
    member_remove,
    project_close,
    project_detail,
    project_list,
)

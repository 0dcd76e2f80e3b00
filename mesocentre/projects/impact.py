"""The proof of impact a project's PI and managers record: its publications and its grants (validated in the
models: a DOI's syntax, a year, an amount, dates in order). Each change is recorded by the audit log."""

from __future__ import annotations

from django.db import transaction

from mesocentre.projects.models import Grant, Project, Publication
from mesocentre.projects.services import _require_manager


@transaction.atomic
def add_publication(actor, project: Project, **fields) -> Publication:
    _require_manager(actor, project)
    return Publication.objects.create(project=project, **fields)


@transaction.atomic
def delete_publication(actor, publication: Publication) -> None:
    _require_manager(actor, publication.project)
    publication.delete()


@transaction.atomic
def add_grant(actor, project: Project, **fields) -> Grant:
    _require_manager(actor, project)
    return Grant.objects.create(project=project, **fields)


@transaction.atomic
def delete_grant(actor, grant: Grant) -> None:
    _require_manager(actor, grant.project)
    grant.delete()

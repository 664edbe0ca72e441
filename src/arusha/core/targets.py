"""Objects that can carry comments, attachments and a history page.

Each context registers its models here under a short kind (`division`), so the
generic screens look them up inside the organization and answer 404 otherwise.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404

from arusha.core.models import Division, Membership, Organization

TARGETS: dict[str, type[models.Model]] = {
    "division": Division,
    "membership": Membership,
}


def target_get(organization: Organization, kind: str, pk: int) -> models.Model:
    model = TARGETS.get(kind)
    if model is None:
        raise Http404
    obj = model._default_manager.filter(organization=organization, pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def target_kind(obj: models.Model) -> str:
    for kind, model in TARGETS.items():
        if isinstance(obj, model):
            return kind
    raise LookupError(f"{type(obj).__name__} is not registered as a target")

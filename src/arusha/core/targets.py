"""Objects that can carry comments, attachments and a history page.

Each context registers its models here under a short kind (`division`), so the
generic screens look them up inside the organization; the kind's access policy
decides who may see them (and so their comments, files and history), 404 otherwise.
"""

from __future__ import annotations

from django.db import models
from django.http import Http404
from django_scopes import scopes_disabled

from arusha.core.access import read
from arusha.core.models import Attachment, Division, Membership, Organization, User

TARGETS: dict[str, type[models.Model]] = {
    "division": Division,
    "membership": Membership,
}


def target_get(organization: Organization, kind: str, pk: int, user: User) -> models.Model:
    """The object, if the person may see it (its kind's policy decides); 404 otherwise."""
    model = TARGETS.get(kind)
    if model is None:
        raise Http404
    obj = model._default_manager.filter(organization=organization, pk=pk).first()
    if obj is None:
        raise Http404
    read(user, obj)
    return obj


def attachment_target(attachment: Attachment, user: User) -> models.Model:
    """What the file hangs on, if the person may see it: a file follows its object."""
    model = attachment.content_type.model_class()
    if model is None:
        raise Http404
    with scopes_disabled():
        obj = model._default_manager.filter(pk=attachment.object_id).first()
    if obj is None:
        raise Http404
    access = read(user, obj)
    if access.organization is None or access.organization.pk != attachment.organization_id:
        raise Http404
    return obj


def target_kind(obj: models.Model) -> str:
    for kind, model in TARGETS.items():
        if isinstance(obj, model):
            return kind
    raise LookupError(f"{type(obj).__name__} is not registered as a target")

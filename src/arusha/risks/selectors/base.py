"""What the selectors of risk mapping share: one row that hangs from an object, or 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db.models import Model
from django.http import Http404
from django_scopes import scope

M = TypeVar("M", bound=Model)


def one_or_404(model: type[M], organization: Any, *, related: Sequence[str] = (), **lookup: Any) -> M:
    """The row of `model` that `lookup` names in the organization's scope, or 404: a control,
    a treatment or a scenario asked for under another risk or process is not found there."""
    with scope(organization=organization):
        rows = model._default_manager.filter(**lookup)
        found = (rows.select_related(*related) if related else rows).first()
    if found is None:
        raise Http404
    return found

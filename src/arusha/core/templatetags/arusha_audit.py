from __future__ import annotations

from django import template

from arusha.core.audit import sentence
from arusha.core.models import AuditEvent

register = template.Library()


@register.filter
def audit_sentence(event: AuditEvent) -> str:
    return sentence(event)

"""The ten key factors of the Revised Arusha Declaration, by code (KF1..KF10), as survey
items and reporting channels name them.

The names are those of the built-in framework pack (frameworks/packs/rad-idg-2021).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FACTOR_NAMES: dict[str, Promise] = {
    "KF1": _("Leadership and commitment"),
    "KF2": _("Regulatory framework"),
    "KF3": _("Transparency"),
    "KF4": _("Automation"),
    "KF5": _("Reform and modernization"),
    "KF6": _("Audit and investigation"),
    "KF7": _("Code of conduct"),
    "KF8": _("Human resource management"),
    "KF9": _("Morale and organizational culture"),
    "KF10": _("Relationship with the private sector"),
}
FACTORS: tuple[str, ...] = tuple(FACTOR_NAMES)


def factor_label(code: str) -> str:
    """“KF3 · Transparency”, or the code itself when it is not a key factor."""
    name = FACTOR_NAMES.get(code)
    return f"{code} · {name}" if name is not None else code

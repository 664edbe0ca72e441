"""The key of an organization's pseudonyms, and the record that leads from a pseudonym back to a person.

An import replaces every officer, broker and trader identifier by a keyed pseudonym
(arusha.analytics.engine.importer.pseudonym: HMAC-SHA256 of the identifier). The key is
derived, per organization and for this purpose only, from ARUSHA_PSEUDONYM_KEY (or, when
that is empty, SECRET_KEY) with HKDF-SHA256, the way arusha.core.encryption derives its
keys. It is the same for every import of the organization, so a person keeps their
pseudonym from one dataset to the next; another organization's key is another, so the
same person is not linkable across organizations. It never enters the database.

Each pseudonym's identifier is kept in a `Pseudonym` row, encrypted (EncryptedTextField):
opening it is a re-identification, which needs a recorded purpose
(arusha.analytics.services.reidentification).
"""

from __future__ import annotations

from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.analytics.models import Pseudonym
from arusha.core.errors import DomainError
from arusha.core.models import Organization

PURPOSE = "analytics-pseudonyms"
BATCH = 1000


def pseudonym_key(organization: Organization) -> bytes:
    """The organization's key for pseudonyms: 32 bytes, stable while the deployment's key is."""
    secret = settings.ARUSHA_PSEUDONYM_KEY or settings.SECRET_KEY
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"arusha-analytics-pseudonyms",
        info=f"{PURPOSE}:{organization.pk}".encode(),
    )
    return hkdf.derive(secret.encode())


def pseudonyms_store(*, organization: Organization, mapping: Mapping[str, Mapping[str, str]]) -> int:
    """Keep {kind: {pseudonym: identifier}} as Pseudonym rows; those already kept stay. The number added.

    A pseudonym already kept for another identifier (two people with one pseudonym: a
    collision of the keyed hash, or a key that changed) is refused, so that nobody is
    re-identified as someone else.
    """
    added = 0
    with scopes_disabled(), transaction.atomic():
        for kind, pairs in mapping.items():
            codes = list(pairs)
            known: dict[str, str] = {}
            for start in range(0, len(codes), BATCH):
                rows = Pseudonym.objects.filter(
                    organization=organization, kind=kind, code__in=codes[start : start + BATCH]
                ).values_list("code", "identity")
                known.update(rows)
            for code, identity in known.items():
                if pairs[code] != identity:
                    raise DomainError(
                        _("The pseudonym %(code)s already names someone else: the data were not imported.")
                        % {"code": code}
                    )
            new = [
                Pseudonym(organization=organization, kind=kind, code=code, identity=identity)
                for code, identity in pairs.items()
                if code not in known
            ]
            Pseudonym.objects.bulk_create(new, batch_size=BATCH)
            added += len(new)
    return added

"""Referral out: a case sent to an outside authority as a package only its private key opens.

An authority (a prosecutor, an anti-corruption agency) is registered with the public
half of an X25519 key pair it made itself (`scripts/open_referral.py keygen`). A handler
chooses what goes out: a summary written for the authority, allegations with their
findings, chosen items of evidence with their files. Nothing else is taken from the
case: no internal note, no message, not the report as the reporter wrote it, and never
the reporter's identity (its key is not even opened). The chosen items are zipped and
sealed with libsodium's sealed box to the authority's public key; the platform keeps
the sealed package, which it cannot open, and the case's handlers download it to pass on.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import uuid
import zipfile

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.access import CHANNELS, SUPERVISE
from arusha.cases.keys import Keyring
from arusha.cases.models import Allegation, Authority, Case, Evidence, Finding, Referral
from arusha.cases.services.dialogue import file_open
from arusha.cases.services.evidence import file_problem
from arusha.cases.services.investigation import MAX_SHORT, _record, handler_of, subject_label, text_of
from arusha.core.access import access_of, authorize
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User

FORMAT = "arusha-referral/1"
MANIFEST = "referral.json"
PACKAGE_MAX_MB = 200
PUBLIC_KEY_BYTES = 32  # X25519


# --- Authorities -----------------------------------------------------------------------


def may_manage_authorities(user: User | None, organization: Organization) -> bool:
    access = access_of(user, organization)
    return access.has(CHANNELS) or access.has(SUPERVISE)


def authorities_check(user: User | None, organization: Organization) -> None:
    """404 for people outside the organization, 403 for members without the right."""
    access = access_of(user, organization)
    if access.has(CHANNELS) or access.has(SUPERVISE):
        return
    if not access.is_member:
        raise Http404
    raise PermissionDenied(str(_("You may not change the authorities cases are referred to.")))


def public_key_of(text: str) -> str:
    """The public key in standard base64, refused unless it decodes to exactly 32 bytes."""
    cleaned = "".join((text or "").split())
    if not cleaned:
        raise DomainError(_("Paste the authority's public key."), field="public_key")
    if len(cleaned) > 200:
        raise DomainError(
            _("A public key is 44 characters of base64; this is far longer."), field="public_key"
        )
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            _("The public key must be written in base64 (letters, digits, + and /, ending in =)."),
            field="public_key",
        ) from None
    if len(raw) != PUBLIC_KEY_BYTES:
        raise DomainError(
            _("An X25519 public key is 32 bytes; this one is %(count)d bytes.") % {"count": len(raw)},
            field="public_key",
        )
    return base64.b64encode(raw).decode()


def authority_list(organization: Organization) -> list[Authority]:
    with scopes_disabled():
        return list(Authority.objects.filter(organization=organization).order_by("-is_active", "name"))


def authority_get(organization: Organization, pk: int) -> Authority | None:
    with scopes_disabled():
        return Authority.objects.filter(organization=organization, pk=pk).first()


def authority_create(*, actor: User, organization: Organization, name: str, public_key: str) -> Authority:
    authorities_check(actor, organization)
    title = text_of(name, "name", limit=MAX_SHORT)
    key = public_key_of(public_key)
    with transaction.atomic(), scopes_disabled():
        authority = Authority.objects.create(organization=organization, name=title, public_key=key)
        audit_record(
            actor=actor,
            action="arusha.authority.created",
            obj=authority,
            organization=organization,
            changes={"name": [None, title], "public_key": [None, key]},
        )
    return authority


def authority_update(
    *, actor: User, authority: Authority, name: str, public_key: str, is_active: bool
) -> Authority:
    organization = authority.organization
    authorities_check(actor, organization)
    title = text_of(name, "name", limit=MAX_SHORT)
    key = public_key_of(public_key)
    before = {"name": authority.name, "public_key": authority.public_key, "is_active": authority.is_active}
    after = {"name": title, "public_key": key, "is_active": is_active}
    with transaction.atomic(), scopes_disabled():
        Authority.objects.filter(pk=authority.pk).update(**after)
        authority.name, authority.public_key, authority.is_active = title, key, is_active
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        audit_record(
            actor=actor,
            action="arusha.authority.updated",
            obj=authority,
            organization=organization,
            changes=changes,
        )
    return authority


# --- Referral --------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    """A file name that cannot climb out of the folder it is unpacked into."""
    cleaned = re.sub(r"[^\w.-]+", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")
    return cleaned[:100] or "file"


def _chosen(model: type[Allegation] | type[Evidence], case: Case, chosen: list[int]) -> list[int]:
    ids = sorted(set(chosen))
    with scopes_disabled():
        found = set(model.objects.filter(case=case, pk__in=ids).values_list("pk", flat=True))
    if found != set(ids):
        field = "allegations" if model is Allegation else "evidence"
        raise DomainError(_("Choose only items of this case."), field=field)
    return ids


def _package(
    case: Case, key: bytes, summary: str, allegation_ids: list[int], evidence_ids: list[int]
) -> bytes:
    """The zip an authority unpacks: `referral.json` and the chosen files under `files/`."""
    with scopes_disabled():
        allegations = list(
            Allegation.objects.filter(case=case, pk__in=allegation_ids)
            .select_related("subject")
            .order_by("position")
        )
        items = list(
            Evidence.objects.filter(case=case, pk__in=evidence_ids).select_related("file").order_by("number")
        )
        category = case.category.name if case.category_id and case.category else ""
    manifest: dict[str, object] = {
        "format": FORMAT,
        "organization": case.organization.name,
        "case": case.reference,
        "category": category,
        "sent_on": timezone.localdate().isoformat(),
        "summary": summary,
        "allegations": [
            {
                "number": a.position,
                "about": subject_label(key, a.subject) if a.subject is not None else "",
                "allegation": crypto.unseal(key, bytes(a.sealed)).decode(),
                "finding": str(Finding(a.finding).label) if a.finding else "",
                "finding_code": a.finding,
                "reasoning": crypto.unseal(key, bytes(a.sealed_finding)).decode() if a.sealed_finding else "",
                "reviewed": a.reviewed_at is not None,
            }
            for a in allegations
        ],
    }
    buffer = io.BytesIO()
    total = 0
    evidence_rows = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            row: dict[str, object] = {
                "number": item.number,
                "description": crypto.unseal(key, bytes(item.sealed)).decode(),
                "seal_number": item.seal_number,
                "file": None,
                "sha256": "",
            }
            if item.file is not None:
                if file_problem(item.file) is not None:
                    raise DomainError(
                        _("The file of item E%(number)d failed its integrity check: it cannot be sent.")
                        % {"number": item.number},
                        field="evidence",
                    )
                name, _type, data = file_open(key, item.file)
                total += len(data)
                if total > PACKAGE_MAX_MB * 1024 * 1024:
                    raise DomainError(
                        _("The chosen files exceed %(size)d MB: send them in several referrals.")
                        % {"size": PACKAGE_MAX_MB},
                        field="evidence",
                    )
                path = f"files/E{item.number}-{_safe_name(name)}"
                archive.writestr(path, data)
                row["file"] = path
                row["sha256"] = crypto.sha256(data)
            evidence_rows.append(row)
        manifest["evidence"] = evidence_rows
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def referral_send(
    *,
    keyring: Keyring,
    case: Case,
    authority: Authority,
    summary: str,
    allegations: list[int],
    evidence: list[int],
) -> Referral:
    """Seal the chosen parts of the case to the authority's public key and keep the package."""
    actor = handler_of(keyring, case)
    if authority.organization_id != case.organization_id or not authority.is_active:
        raise DomainError(_("Choose an active authority."), field="authority")
    body = text_of(summary, "summary")
    allegation_ids = _chosen(Allegation, case, allegations)
    evidence_ids = _chosen(Evidence, case, evidence)
    key = keyring.key(case)
    sealed = crypto.wrap(
        base64.b64decode(authority.public_key), _package(case, key, body, allegation_ids, evidence_ids)
    )
    with transaction.atomic(), scopes_disabled():
        referral = Referral(case=case, authority=authority, sent_by=actor, sent_on=timezone.localdate())
        referral.package.save(uuid.uuid4().hex, ContentFile(sealed), save=False)
        referral.save()
        _record(
            actor,
            "arusha.case.referred",
            case,
            authority=[None, authority.name],
            allegations=[None, len(allegation_ids)],
            evidence=[None, len(evidence_ids)],
        )
    return referral


def referral_get(case: Case, pk: int) -> Referral | None:
    with scopes_disabled():
        return Referral.objects.filter(case=case, pk=pk).select_related("case", "authority").first()


def referral_package(*, actor: User, referral: Referral) -> bytes:
    """The sealed package, for the case's handlers to pass on (they cannot open it either)."""
    case = referral.case
    authorize(actor, "handle", case)
    try:
        with referral.package.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        raise DomainError(_("The stored package is missing. Refer the case again.")) from None
    with transaction.atomic(), scopes_disabled():
        _record(actor, "arusha.case.referral.downloaded", case, referral=[None, referral.pk])
    return bytes(data)

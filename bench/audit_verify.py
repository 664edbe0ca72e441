#!/usr/bin/env python3
"""Time `manage.py audit_verify` over 100,000 audit events (issue 8: at most 10 s).

`make bench` runs it after bench/run.py, on the same throw-away PostgreSQL database, so
the chain checked is the benchmark's real one topped up with synthetic events. Alone:
`scripts/with-postgres .venv/bin/python bench/audit_verify.py`, or without DATABASE_URL
on a temporary SQLite file. The synthetic events are numbered and sealed in bulk by the
platform's own code (arusha.core.audit_chain.append), so the chain is the real thing.

Environment: BENCH_AUDIT_EVENTS (default 100000), BENCH_AUDIT_TARGET_S (default 10).
Exits with status 1 when the chain does not verify or the target is missed.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "100000"))
TARGET_S = float(os.environ.get("BENCH_AUDIT_TARGET_S", "10"))
BATCH = 5000
NARRATIVE = (
    "The measure is described in the integrity policy of 2024 and applied at the main offices; "
    "the working group reviewed the circulars, the registers and two audit reports. "
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arusha.settings")
os.environ.setdefault("ARUSHA_ENV", "test")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='arusha-audit-bench-')}/bench.sqlite3"


def top_up(total: int) -> tuple[int, float]:
    """Add synthetic events until the chain holds `total`; answer how many were added and the time."""
    from django.contrib.contenttypes.models import ContentType
    from django_scopes import scopes_disabled

    from arusha.core import audit_chain, services
    from arusha.core.models import AuditEvent, Organization, OrganizationKind, User

    with scopes_disabled():
        org = Organization.objects.filter(slug="bench-audit").first() or services.organization_create(
            actor=None, slug="bench-audit", name="Audit Bench", kind=OrganizationKind.CUSTOMS, country="XA"
        )
        actor = User.objects.filter(email="auditor@bench.example").first() or services.user_create(
            email="auditor@bench.example", full_name="Audit Bench", password=None
        )
        missing = total - AuditEvent.objects.count()
    content_type = ContentType.objects.get_for_model(org)
    start = time.perf_counter()
    added = 0
    while added < missing:
        size = min(BATCH, missing - added)
        audit_chain.append(
            [
                AuditEvent(
                    organization=org,
                    actor=actor,
                    actor_label=str(actor),
                    action="arusha.organization.updated",
                    content_type=content_type,
                    object_id=str(org.pk),
                    object_repr=str(org),
                    changes={
                        "name": [f"Audit Bench {n}", f"Audit Bench {n + 1}"],
                        "narrative": [NARRATIVE * (1 + n % 3), NARRATIVE * (1 + (n + 1) % 3)],
                        "score": [n % 5, 1.5 + n % 4],
                    },
                )
                for n in range(added, added + size)
            ]
        )
        added += size
    return max(missing, 0), time.perf_counter() - start


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django_scopes import scopes_disabled

    from arusha.core.models import AuditEvent

    call_command("migrate", "--no-input", verbosity=0)
    added, seed_seconds = top_up(EVENTS)
    if added:
        rate = added / seed_seconds
        print(f"Sealed {added:,} synthetic audit events in {seed_seconds:.1f} s ({rate:,.0f}/s).")
    out = io.StringIO()
    start = time.perf_counter()
    try:
        call_command("audit_verify", stdout=out)
    except CommandError as error:
        sys.exit(f"audit_verify failed: {error}")
    seconds = time.perf_counter() - start
    with scopes_disabled():
        total = AuditEvent.objects.count()
    print(out.getvalue().strip())
    ok = seconds <= TARGET_S
    name = f"audit_verify ({total:,} events)"
    verdict = "ok" if ok else "MISSED"
    print(f"{name:<36} {seconds:7.2f} s  <= {TARGET_S:.0f} s   {verdict}  ({total / seconds:,.0f} events/s)")
    if not ok:
        sys.exit(f"Target missed: audit_verify over {total:,} events took {seconds:.1f} s.")


if __name__ == "__main__":
    main()

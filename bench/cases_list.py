#!/usr/bin/env python3
"""Time the staff desk's case list over 10,000 cases (issue 10: p95 < 700 ms).

Builds an administration with 10,000 cases (every status, two years of dates, some
overdue, some unread, 5 channels, 8 categories, 40 offices), an integrity officer who
sees them all and a handler assigned to 300 of them; serves Arusha with gunicorn (2
workers) in production settings and times, in the same run, a bare Django view (the
floor) and the list as each person opens it: first page, filters, a sort, a search, a
far page. Cases are written in bulk with one sealed placeholder as their content: the
list never opens content, so what it costs is the same.

Run alone with `.venv/bin/python bench/cases_list.py` (a temporary SQLite database), or
with DATABASE_URL set (e.g. `scripts/with-postgres .venv/bin/python bench/cases_list.py`).
Environment: BENCH_REQUESTS (per page, default 200), BENCH_PORT (default 8766),
BENCH_CASES (default 10000), BENCH_CASES_TARGET_MS (default 700).
Exits with status 1 when a page misses the target.
"""

from __future__ import annotations

import datetime
import os
import sys
import time

from serving import SERVED, gunicorn, production_environment, query_count, session_cookie, temporary_site

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
PORT = int(os.environ.get("BENCH_PORT", "8766"))
CASES = int(os.environ.get("BENCH_CASES", "10000"))
TARGET_MS = float(os.environ.get("BENCH_CASES_TARGET_MS", "700"))
ASSIGNED = 300

production_environment(**SERVED)
temporary_site("arusha-cases-bench-")
ORG = "bench-cases"


def seed() -> dict[str, str]:
    """The administration, its people and its cases; the two people's session cookies."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from arusha.cases import crypto
    from arusha.cases.models import Assignment, AssignmentRole, Case, Category, Channel, ChannelKind, Status
    from arusha.core import services
    from arusha.core.models import Division, OrganizationKind
    from arusha.core.permissions import PresetRole

    org = services.organization_create(
        actor=None, slug=ORG, name="Bench Cases", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    officer = services.user_create(
        email="officer@cases.bench.example", full_name="Ines Officer", password=None
    )
    handler = services.user_create(
        email="handler@cases.bench.example", full_name="Hal Handler", password=None
    )
    services.membership_create(
        actor=None, organization=org, user=officer, roles=[PresetRole.INTEGRITY_OFFICER]
    )
    services.membership_create(actor=None, organization=org, user=handler, roles=[PresetRole.CASE_HANDLER])
    with scopes_disabled():
        channels = [
            Channel.objects.create(organization=org, kind=kind, name=f"Channel {n}", slug=f"channel-{n}")
            for n, kind in enumerate(ChannelKind.values)
        ]
        categories = [
            Category.objects.create(
                organization=org, code=f"cat-{n}", name=f"Category {n}", factor=f"KF{n + 1}"
            )
            for n in range(8)
        ]
        offices = Division.objects.bulk_create(
            Division(organization=org, name=f"Office {n:02d}", code=f"OF{n:02d}") for n in range(40)
        )
        today = timezone.localdate()
        sealed = crypto.seal(crypto.new_key(), b'{"answers":{},"narrative":"placeholder"}')
        statuses = Status.values
        alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
        cases = []
        for n in range(CASES):
            received = today - datetime.timedelta(days=n % 730)
            code, rest = "", n
            for _ in range(8):
                code, rest = alphabet[rest % len(alphabet)] + code, rest // len(alphabet)
            status = statuses[n % len(statuses)]
            channel = channels[n % len(channels)]
            cases.append(
                Case(
                    organization=org,
                    channel=channel,
                    reference=f"{code[:4]}-{code[4:]}",
                    status=status,
                    category=categories[n % len(categories)] if n % 5 else None,
                    office=offices[n % len(offices)] if n % 3 else None,
                    received_on=received,
                    acknowledge_by=received + datetime.timedelta(days=channel.acknowledge_days),
                    feedback_by=received + datetime.timedelta(days=channel.feedback_days),
                    acknowledged_on=None if status == Status.SUBMITTED else received,
                    on_hold=n % 17 == 0,
                    unread_by_staff=n % 4 == 0,
                    handler=handler if n % 7 == 0 else None,
                    content=sealed,
                )
            )
        Case.objects.bulk_create(cases, batch_size=1000)
        chosen = Case.objects.filter(organization=org).order_by("reference")[:ASSIGNED]
        now = timezone.now()
        Assignment.objects.bulk_create(
            Assignment(case=case, user=handler, role=AssignmentRole.HANDLER, attested_at=now)
            for case in chosen
        )
    return {"officer": session_cookie(officer), "handler": session_cookie(handler)}


PAGES = [
    ("floor (bare Django view)", "/bench/floor/", "officer"),
    ("cases: officer, page 1 (10,000)", f"/o/{ORG}/cases/", "officer"),
    ("cases: officer, all statuses", f"/o/{ORG}/cases/?group=all", "officer"),
    ("cases: officer, overdue", f"/o/{ORG}/cases/?overdue=on", "officer"),
    ("cases: officer, by feedback date", f"/o/{ORG}/cases/?group=all&sort=feedback_by", "officer"),
    ("cases: officer, channel + unread", f"/o/{ORG}/cases/?channel=1&unread=on", "officer"),
    ("cases: officer, reference search", f"/o/{ORG}/cases/?group=all&q=AB", "officer"),
    ("cases: officer, page 150", f"/o/{ORG}/cases/?group=all&page=150", "officer"),
    ("cases: handler (300 assigned)", f"/o/{ORG}/cases/", "handler"),
    ("cases: handler, assigned to me", f"/o/{ORG}/cases/?mine=on&group=all", "handler"),
]


def query_counts(cookies: dict[str, str]) -> dict[str, int]:
    from django.conf import settings
    from django.test import Client

    counts = {}
    for name, path, who in PAGES:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[who].split("=", 1)[1]
        counts[name] = query_count(client, path)
    return counts


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    start = time.perf_counter()
    cookies = seed()
    print(f"Seeded {CASES:,} cases in {time.perf_counter() - start:.1f} s.")
    counts = query_counts(cookies)
    rows = []
    with gunicorn(PORT, cookies["officer"]) as server:
        for name, path, who in PAGES:
            rows.append((name, *server.timed(path, cookies[who], REQUESTS)))
    engine = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(f"\n{REQUESTS} sequential requests per page, gunicorn (2 workers), {engine}, production settings\n")
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, p50, p95 in rows:
        print(f"{name:<36} {p50:8.1f} {p95:8.1f} {counts[name]:8d}")
    print("\nTarget")
    missed = []
    for name, _p50, p95 in rows[1:]:
        ok = p95 < TARGET_MS
        missed += [] if ok else [name]
        print(f"{name:<36} p95 {p95:7.1f} ms < {TARGET_MS:.0f} ms  {'ok' if ok else 'MISSED'}")
    if missed:
        sys.exit(f"Target missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()

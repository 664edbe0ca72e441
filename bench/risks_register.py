#!/usr/bin/env python3
"""Time the heat map and the register over 2,000 risks (issue 12: p95 < 800 ms, at most 10 queries).

Builds an administration with the process library and the 5x5 matrix, 30 offices, and a
cycle in monitoring with 2,000 risks spread over the catalogue's processes (inherent,
current and target ratings, restricted texts encrypted, two offices each, controls and
treatments on one risk in five); an integrity officer who sees them all and a risk owner
who sees the risks of their office. Serves Arusha with gunicorn (2 workers) in production
settings and times, in the same run, a bare Django view (the floor) and each page as those
people open it. Counts each page's SQL queries.

Run alone with `.venv/bin/python bench/risks_register.py` (a temporary SQLite database), or
with DATABASE_URL set (`scripts/with-postgres .venv/bin/python bench/risks_register.py`, as
`make bench` does). Environment: BENCH_REQUESTS (per page, default 100), BENCH_PORT
(default 8767), BENCH_RISKS (default 2000), BENCH_RISKS_TARGET_MS (default 800),
BENCH_RISKS_QUERIES (default 10). Exits with status 1 when a page misses a target.
"""

from __future__ import annotations

import os
import random
import sys
import time

from serving import SERVED, gunicorn, production_environment, query_count, session_cookie, temporary_site

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
PORT = int(os.environ.get("BENCH_PORT", "8767"))
RISKS = int(os.environ.get("BENCH_RISKS", "2000"))
TARGET_MS = float(os.environ.get("BENCH_RISKS_TARGET_MS", "800"))
QUERIES = int(os.environ.get("BENCH_RISKS_QUERIES", "10"))

production_environment(**SERVED)
temporary_site("arusha-risks-bench-")
ORG = "bench-risks"


def seed() -> tuple[dict[str, str], int]:
    """The administration, its people, the cycle and its risks; cookies and the cycle's id."""
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from arusha.core import services
    from arusha.core.models import OrganizationKind
    from arusha.core.permissions import PresetRole
    from arusha.risks.matrices import Scale
    from arusha.risks.models import Control, Cycle, Process, Risk, Treatment
    from arusha.risks.services.library import catalogue_install, matrix_install
    from arusha.risks.vocabulary import ControlKind, CycleStatus, Decision, RiskStatus

    org = services.organization_create(
        actor=None, slug=ORG, name="Bench Risks", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    offices = [
        services.division_create(actor=None, organization=org, name=f"Office {n:02d}", code=f"OF{n:02d}")
        for n in range(30)
    ]
    officer = services.user_create(
        email="officer@risks.bench.example", full_name="Ines Officer", password=None
    )
    owner = services.user_create(email="owner@risks.bench.example", full_name="Omar Owner", password=None)
    services.membership_create(
        actor=None, organization=org, user=officer, roles=[PresetRole.INTEGRITY_OFFICER]
    )
    services.membership_create(
        actor=None, organization=org, user=owner, roles=[PresetRole.RISK_OWNER], division=offices[0]
    )
    matrix = matrix_install(actor=officer, organization=org)
    catalogue_install(actor=officer, organization=org)
    scale = Scale(matrix.definition)
    rng = random.Random(12)  # noqa: S311 - reproducible test data, not secrets
    with scopes_disabled():
        processes = list(Process.objects.filter(organization=org))
        cycle = Cycle.objects.create(
            organization=org,
            title="Bench cycle",
            matrix=matrix,
            status=CycleStatus.MONITORING,
            created_by=officer,
        )
        cycle.processes.set([p for p in processes if p.parent_id is None])
        risks = []
        for n in range(RISKS):
            ratings = {}
            for stage, top in (("inherent", 5), ("current", 4), ("target", 3)):
                likelihood, impact = rng.randint(1, top), rng.randint(1, top)
                ratings |= {
                    f"{stage}_likelihood": likelihood,
                    f"{stage}_impact": impact,
                    f"{stage}_level": scale.level(likelihood, impact),
                }
            risks.append(
                Risk(
                    organization=org,
                    cycle=cycle,
                    process=processes[n % len(processes)],
                    code=f"R-{n + 1:04d}",
                    title=f"Risk {n + 1} of the bench register",
                    who="Officer at the counter",
                    with_whom="Broker",
                    what="Declaration",
                    how="A restricted description of the scheme",
                    benefit="Cash",
                    corruption_types=["bribery"],
                    factors=[f"KF{n % 10 + 1}"],
                    risk_factors=["discretion"],
                    owner=owner if n % 3 == 0 else officer,
                    decision=Decision.TREAT,
                    status=RiskStatus.TREATED,
                    knowledge="moderate",
                    created_by=officer,
                    **ratings,
                )
            )
        Risk.objects.bulk_create(risks, batch_size=500)
        saved = list(Risk.objects.filter(cycle=cycle).order_by("code"))
        through = Risk.offices.through
        through.objects.bulk_create(
            [through(risk_id=r.pk, division_id=offices[i % 30].pk) for i, r in enumerate(saved)]
            + [through(risk_id=r.pk, division_id=offices[(i + 7) % 30].pk) for i, r in enumerate(saved)],
            batch_size=1000,
        )
        Control.objects.bulk_create(
            Control(risk=r, kind=ControlKind.PREVENTIVE, description="Rotation of examiners")
            for r in saved[::5]
        )
        today = timezone.localdate()
        Treatment.objects.bulk_create(
            Treatment(risk=r, title="Random assignment of examinations", owner=owner, due_on=today)
            for r in saved[::5]
        )
        # A cycle of one risk: the pages' query counts must not grow with the register.
        small = Cycle.objects.create(
            organization=org,
            title="One risk",
            matrix=matrix,
            status=CycleStatus.MONITORING,
            created_by=officer,
        )
        small.processes.set(cycle.processes.all())
        Risk.objects.create(
            organization=org,
            cycle=small,
            process=processes[0],
            code="R-0001",
            title="Alone",
            owner=officer,
            **{
                f"{stage}_{part}": 1
                for stage in ("inherent", "current", "target")
                for part in ("likelihood", "impact")
            },
            inherent_level=scale.level(1, 1),
            current_level=scale.level(1, 1),
            target_level=scale.level(1, 1),
        )
    return {"officer": session_cookie(officer), "owner": session_cookie(owner)}, cycle.pk, small.pk


def pages(cycle: int) -> list[tuple[str, str, str]]:
    base = f"/o/{ORG}/risks"
    return [
        ("floor (bare Django view)", "/bench/floor/", "officer"),
        ("register: officer, page 1", f"{base}/{cycle}/register/", "officer"),
        ("register: officer, above appetite", f"{base}/{cycle}/register/?appetite=above", "officer"),
        ("register: officer, last page", f"{base}/{cycle}/register/?page=20", "officer"),
        ("heat map: officer (2,000)", f"{base}/{cycle}/heatmap/", "officer"),
        ("register: owner (own office)", f"{base}/{cycle}/register/", "owner"),
        ("heat map: owner (own office)", f"{base}/{cycle}/heatmap/", "owner"),
        ("dashboard: officer", f"{base}/dashboard/", "officer"),
    ]


def query_counts(cookies: dict[str, str], cycle: int) -> dict[str, tuple[int, int]]:
    """Each page's queries: all of them, and those that read the register (the risks tables).

    Every confidential page pays a fixed cost whatever it shows: the session, the person,
    the organization and membership, loading the object, recording the read in the audit
    chain, the notifications badge. The register's own work is what touches risks_ tables.
    """
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, path, who in pages(cycle):
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[who].split("=", 1)[1]
        query_count(client, path)  # warm: the first request also fills caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        own = sum(1 for query in queries.captured_queries if "risks_" in query["sql"])
        counts[name] = (len(queries), own)
    return counts


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    start = time.perf_counter()
    cookies, cycle, small = seed()
    print(f"Seeded {RISKS:,} risks in {time.perf_counter() - start:.1f} s.")
    counts = query_counts(cookies, cycle)
    alone = query_counts(cookies, small)
    rows = []
    with gunicorn(PORT, cookies["officer"]) as server:
        for name, path, who in pages(cycle):
            rows.append((name, *server.timed(path, cookies[who], REQUESTS)))
    engine = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    print(f"\n{REQUESTS} sequential requests per page, gunicorn (2 workers), {engine}, production settings\n")
    print(f"{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'register':>9}")
    for name, p50, p95 in rows:
        total, own = counts[name]
        print(f"{name:<38} {p50:8.1f} {p95:8.1f} {total:8d} {own:9d}")
    print("\nTargets")
    missed = []
    for name, _p50, p95 in rows[1:]:
        # The issue counts queries for the heat map and the register; the dashboard is timed only.
        _total, own = counts[name]
        ok = p95 < TARGET_MS and (own <= QUERIES or name.startswith("dashboard"))
        missed += [] if ok else [name]
        print(
            f"{name:<38} p95 {p95:7.1f} ms < {TARGET_MS:.0f} ms, {own} register queries <= {QUERIES}"
            f"  {'ok' if ok else 'MISSED'}"
        )
    for (name, path, who), (small_name, _small_path, _w) in zip(pages(cycle), pages(small), strict=True):
        if "risks" not in path or who != "officer":
            continue
        grows = counts[name][0] != alone[small_name][0]
        missed += [f"{name} (queries grow with the register)"] if grows else []
        print(
            f"{name:<38} {counts[name][0]} queries with {RISKS:,} risks, {alone[small_name][0]} with 1"
            f"  {'MISSED' if grows else 'ok'}"
        )
    if missed:
        sys.exit(f"Target missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()

"""A canary written in every restricted field never appears in a database dump (issue 12, numbers).

The scheme of a risk (who, with whom, what, how, benefit), its notes, a working-group
member's declared interests, an evidence source's note and interviewee are encrypted with
the deployment's key; the audit trail says that they changed, never what they hold. Read
back through the models they are whole.
"""

from __future__ import annotations

from django_scopes import scopes_disabled
from tests.privacy import database_dump
from tests.risks import add_risk, field, rate, to_identification, to_step

from arusha.risks.models import CycleMember, Evidence, Risk
from arusha.risks.services.cycles import evidence_add, member_declare
from arusha.risks.services.register import risk_update
from arusha.risks.vocabulary import CycleStatus, EvidenceKind

CANARY = "Kx-canary-5092-Ngorongoro"


def _dump_count(needle: str) -> int:
    raw = needle.encode()
    found = 0
    for value in database_dump():
        if isinstance(value, str):
            found += value.count(needle)
        elif isinstance(value, bytes | bytearray | memoryview):
            found += bytes(value).count(raw)
    return found


def test_restricted_texts_never_reach_the_database_in_clear(cast) -> None:
    f = field(cast)
    member = f.group[1]
    member_declare(
        actor=member.user, member=member, no_conflict=False, interests=f"My brother {CANARY} is a broker"
    )
    to_identification(f)
    restricted = {name: f"{name} {CANARY}" for name in ("who", "with_whom", "what", "how", "benefit")}
    risk = add_risk(f, **restricted)
    risk = risk_update(actor=f.officer, risk=risk, values={"notes": f"notes {CANARY}"})
    evidence_add(
        actor=f.officer,
        cycle=f.cycle,
        kind=EvidenceKind.INTERVIEW,
        title="Interview at the port",
        note=f"note {CANARY}",
        interviewee=f"Chief examiner {CANARY}",
    )
    to_step(f, CycleStatus.RATING)
    rate(f, risk, inherent=(4, 4), current=(3, 3))

    assert _dump_count(CANARY) == 0
    assert _dump_count("Ngorongoro") == 0

    with scopes_disabled():
        stored = Risk.objects.get(pk=risk.pk)
        assert stored.how == f"how {CANARY}" and stored.notes == f"notes {CANARY}"
        assert CANARY in CycleMember.objects.get(pk=member.pk).interests
        evidence = Evidence.objects.get(cycle=f.cycle)
        assert CANARY in evidence.note and CANARY in evidence.interviewee


def test_the_title_is_the_only_text_of_a_risk_in_clear(cast) -> None:
    """What lists and heat maps show (code, title, levels) stays readable; the rest is sealed."""
    f = field(cast)
    to_identification(f)
    add_risk(f, title="Payment to skip examination", how=CANARY)
    found_title = 0
    for value in database_dump():
        if isinstance(value, str) and "Payment to skip examination" in value:
            found_title += 1
    assert found_title >= 1
    assert _dump_count(CANARY) == 0

"""The screens of assessment cycles: who opens what, forms that name their errors, steps taken once."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.forms import hidden_value, signed_in
from tests.risks import Field, add_risk, field, person, rate, to_identification

from arusha.core.permissions import PresetRole
from arusha.risks.models import Cycle, CycleMember, Evidence
from arusha.risks.services.cycles import (
    cycle_advance,
    cycle_create,
    cycle_update,
    evidence_add,
    member_declare,
    member_remove,
)
from arusha.risks.templatetags.risk_cycle import url_or_none
from arusha.risks.vocabulary import CycleStatus, EvidenceKind

S = CycleStatus


def url(f: Field, name: str, *args: object) -> str:
    return reverse(name, args=[f.organization.slug, f.cycle.pk, *args])


def status_of(f: Field) -> str:
    with scopes_disabled():
        return Cycle.objects.get(pk=f.cycle.pk).status


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_each_cycle_with_its_step_and_an_overdue_reassessment(cast):
    f = field(cast)
    cycle_update(
        actor=f.officer,
        cycle=f.cycle,
        values={"starts_on": datetime.date(2020, 1, 1), "reassess_on": datetime.date(2021, 1, 1)},
    )
    page = signed_in(f.officer).get(reverse("cycle-list", args=[f.organization.slug]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Clearance corruption risks 2026" in text and "Planning" in text and "Overdue" in text
    assert reverse("cycle-add", args=[f.organization.slug]) in text
    member_page = signed_in(f.members[0]).get(reverse("cycle-list", args=[f.organization.slug]))
    assert "Clearance corruption risks 2026" in member_page.content.decode()
    assert reverse("cycle-add", args=[f.organization.slug]) not in member_page.content.decode()


def test_an_empty_list_explains_the_steps(cast):
    officer = person(cast, "first@test.example", "Fay First", [PresetRole.INTEGRITY_OFFICER])
    page = signed_in(officer).get(reverse("cycle-list", args=[cast.customs.slug])).content.decode()
    assert "No risk assessment yet" in page and "nine steps" in page


def test_people_outside_risk_mapping_get_404(cast):
    f = field(cast)
    foreign = cycle_create(actor=None, organization=cast.other, title="Foreign cycle")
    for user in (cast.member, cast.foreigner, cast.outsider):
        client = signed_in(user)
        assert client.get(reverse("cycle-list", args=[f.organization.slug])).status_code == 404
        assert client.get(url(f, "cycle-detail")).status_code == 404
        assert client.post(url(f, "cycle-advance"), {"version": 1}).status_code == 404
    officer = signed_in(f.officer)
    assert officer.get(reverse("cycle-detail", args=[f.organization.slug, foreign.pk])).status_code == 404
    assert signed_in(cast.owner).get(url(f, "cycle-detail")).status_code == 404


# --- Start and edit -------------------------------------------------------------------------------


def test_a_double_submit_of_the_start_form_makes_one_cycle(cast):
    f = field(cast)
    client = signed_in(f.officer)
    add = reverse("cycle-add", args=[f.organization.slug])
    key = hidden_value(client.get(add).content.decode(), "idempotency_key")
    data = {
        "title": "Warehousing risks 2027",
        "matrix": f.matrix.pk,
        "processes": [f.processes["WHT"].pk],
        "offices": [cast.division.pk],
        "scope": "Bonded warehouses",
        "starts_on": "2027-01-10",
        "reassess_on": "2029-01-10",
        "previous": f.cycle.pk,
        "idempotency_key": key,
    }
    first = client.post(add, data)
    second = client.post(add, data)
    with scopes_disabled():
        made = list(Cycle.objects.filter(title="Warehousing risks 2027"))
        assert len(made) == 1 and made[0].previous == f.cycle
        assert [p.code for p in made[0].processes.all()] == ["WHT"]
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == reverse("cycle-detail", args=[f.organization.slug, made[0].pk])
    )


def test_hostile_input_on_the_start_form_is_named_on_its_fields(cast):
    f = field(cast)
    client = signed_in(f.officer)
    add = reverse("cycle-add", args=[f.organization.slug])
    page = client.post(
        add,
        {"title": "x" * 500, "matrix": "abc", "processes": ["999999", "z"], "starts_on": "2026-13-45"},
    )
    assert page.status_code == 400
    form = page.context["form"]
    assert set(form.errors) >= {"title", "matrix", "processes", "starts_on"}
    dates = client.post(add, {"title": "Dates", "starts_on": "2026-05-01", "reassess_on": "2026-04-01"})
    assert dates.status_code == 400 and "reassess_on" in dates.context["form"].errors
    with scopes_disabled():
        assert Cycle.objects.filter(organization=f.organization).count() == 1


def test_only_those_who_run_cycles_start_or_edit_them(cast):
    f = field(cast)
    head = signed_in(f.head)
    assert head.get(reverse("cycle-add", args=[f.organization.slug])).status_code == 404
    assert head.get(url(f, "cycle-edit")).status_code == 403
    assert head.post(url(f, "cycle-edit"), {"title": "Taken over"}).status_code == 403
    assert signed_in(f.members[0]).get(url(f, "cycle-edit")).status_code == 403


def test_a_stale_edit_shows_their_version_and_keeps_the_text(cast):
    f = field(cast)
    client = signed_in(f.officer)
    form = client.get(url(f, "cycle-edit")).content.decode()
    version = hidden_value(form, "version")
    cycle_update(actor=f.officer, cycle=f.cycle, values={"title": "Renamed meanwhile"})
    page = client.post(
        url(f, "cycle-edit"),
        {
            "title": "My new title",
            "matrix": f.matrix.pk,
            "processes": [f.processes["EXA"].pk],
            "scope": "Port only",
            "version": version,
        },
    )
    text = page.content.decode()
    assert page.status_code == 400
    assert "Their version" in text and "Renamed meanwhile" in text and "My new title" in text
    with scopes_disabled():
        assert Cycle.objects.get(pk=f.cycle.pk).title == "Renamed meanwhile"


def test_the_matrix_cannot_be_changed_after_planning(cast):
    f = field(cast)
    to_identification(f)
    client = signed_in(f.officer)
    form = client.get(url(f, "cycle-edit"))
    assert form.context["form"].fields["matrix"].disabled
    version = hidden_value(form.content.decode(), "version")
    saved = client.post(
        url(f, "cycle-edit"),
        {"title": "Kept", "matrix": "", "processes": [f.processes["EXA"].pk], "version": version},
    )
    assert saved.status_code == 302
    with scopes_disabled():
        assert Cycle.objects.get(pk=f.cycle.pk).matrix == f.matrix


# --- The overview and the steps ---------------------------------------------------------------------


def test_the_overview_marks_the_step_and_offers_the_next_one_only_when_it_can_be_taken(cast):
    f = field(cast)
    officer = signed_in(f.officer)
    page = officer.get(url(f, "cycle-detail")).content.decode()
    assert 'aria-current="step"><span>1. Planning' in page
    assert "Move on to “identification”" in page and url(f, "cycle-advance") in page
    head_page = signed_in(f.head).get(url(f, "cycle-detail")).content.decode()
    assert url(f, "cycle-advance") not in head_page and "someone who runs the assessment" in head_page
    member_remove(actor=f.officer, member=f.group[1])
    blocked = officer.get(url(f, "cycle-detail")).content.decode()
    assert "Before “identification” can start" in blocked and "at least 3 members" in blocked
    assert url(f, "cycle-advance") not in blocked


def test_the_overview_counts_risks_by_level_and_those_left_unanswered(cast):
    f = field(cast)
    to_identification(f)
    risk = add_risk(f)
    add_risk(f, "Unrated fee at release", process=f.processes["REL"])
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    rate(f, risk, inherent=(5, 5), current=(5, 5))
    page = signed_in(f.officer).get(url(f, "cycle-detail"))
    summary = page.context["summary"]
    assert (summary.total, summary.unrated, summary.above, summary.uncovered) == (2, 1, 1, 1)
    assert [(level.code, level.count) for level in summary.levels] == [
        ("very_high", 1),
        ("high", 0),
        ("medium", 0),
        ("low", 0),
    ]
    assert "Rate the inherent and current levels of: R-002." in page.content.decode()


def test_a_double_click_on_the_next_step_moves_one_step(cast):
    f = field(cast)
    client = signed_in(f.officer)
    version = hidden_value(client.get(url(f, "cycle-detail")).content.decode(), "version")
    first = client.post(url(f, "cycle-advance"), {"version": version})
    second = client.post(url(f, "cycle-advance"), {"version": version}, follow=True)
    assert first.status_code == 302
    assert status_of(f) == S.IDENTIFICATION
    assert second.status_code == 200 and "Move on to" not in second.content.decode()


def test_a_step_without_its_version_is_refused(cast):
    f = field(cast)
    client = signed_in(f.officer)
    assert client.post(url(f, "cycle-advance"), {"version": "two"}).status_code == 400
    assert client.post(url(f, "cycle-advance")).status_code == 400
    assert client.get(url(f, "cycle-advance")).status_code == 405
    assert status_of(f) == S.PLANNING


def test_those_who_may_not_take_the_step_get_403(cast):
    f = field(cast)
    assert (
        signed_in(f.members[0]).post(url(f, "cycle-advance"), {"version": f.cycle.version}).status_code == 403
    )
    assert signed_in(f.head).post(url(f, "cycle-advance"), {"version": f.cycle.version}).status_code == 403
    assert status_of(f) == S.PLANNING


def test_a_refused_step_says_why(cast):
    f = field(cast)
    to_identification(f)
    page = signed_in(f.officer).post(url(f, "cycle-advance"), {"version": f.cycle.version}, follow=True)
    assert "Identify at least one risk." in page.content.decode()
    assert status_of(f) == S.IDENTIFICATION


def test_sending_back_asks_for_a_reason(cast):
    f = field(cast)
    to_identification(f)
    add_risk(f)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    client = signed_in(f.officer)
    assert "Send back to “identification”" in client.get(url(f, "cycle-detail")).content.decode()
    empty = client.post(url(f, "cycle-return"), {"reason": "   ", "version": f.cycle.version})
    assert empty.status_code == 400 and "reason" in empty.context["form"].errors
    assert signed_in(f.head).post(url(f, "cycle-return"), {"reason": "No"}).status_code == 403
    done = client.post(
        url(f, "cycle-return"), {"reason": "Add the release risks", "version": f.cycle.version}
    )
    assert done.status_code == 302 and status_of(f) == S.IDENTIFICATION
    again = client.post(url(f, "cycle-return"), {"reason": "Once more"})
    assert again.status_code == 400 and status_of(f) == S.IDENTIFICATION


# --- The working group --------------------------------------------------------------------------------


def test_interests_are_read_only_by_the_member_and_those_who_run_the_cycle(cast):
    f = field(cast)
    member = f.group[1]
    member_declare(actor=member.user, member=member, no_conflict=False, interests="Canary-5e7a cousin broker")
    for user, shown in ((f.officer, True), (f.members[0], True), (f.members[1], False), (f.head, False)):
        page = signed_in(user).get(url(f, "cycle-members")).content.decode()
        assert ("Canary-5e7a" in page) is shown, user
        assert "Interests declared" in page


def test_a_person_added_to_the_group_rates_until_removed(cast):
    f = field(cast)
    extra = person(cast, "wg4@test.example", "Working Member 4", [PresetRole.CONTRIBUTOR])
    officer = signed_in(f.officer)
    assert signed_in(extra).get(url(f, "cycle-detail")).status_code == 404
    added = officer.post(url(f, "cycle-members"), {"user": extra.pk, "role": "member"})
    assert added.status_code == 302
    client = signed_in(extra)
    page = client.get(url(f, "cycle-detail")).content.decode()
    assert "Declare your interests" in page
    with scopes_disabled():
        joined = CycleMember.objects.get(cycle=f.cycle, user=extra)
    assert officer.get(url(f, "cycle-member-remove", joined.pk)).status_code == 200
    assert officer.post(url(f, "cycle-member-remove", joined.pk)).status_code == 302
    assert client.get(url(f, "cycle-detail")).status_code == 404
    assert client.get(url(f, "member-declare", joined.pk)).status_code == 404


def test_adding_a_member_names_the_wrong_field(cast):
    f = field(cast)
    officer = signed_in(f.officer)
    hostile = officer.post(url(f, "cycle-members"), {"user": "x' OR 1=1", "role": "boss"})
    assert hostile.status_code == 400 and set(hostile.context["form"].errors) == {"user", "role"}
    extra = person(cast, "wg4@test.example", "Working Member 4", [PresetRole.CONTRIBUTOR])
    chair = officer.post(url(f, "cycle-members"), {"user": extra.pk, "role": "chair"})
    assert chair.status_code == 400 and "already has a chair" in str(chair.context["form"].errors["role"])
    assert (
        officer.post(url(f, "cycle-members"), {"user": cast.foreigner.pk, "role": "member"}).status_code
        == 400
    )
    assert (
        signed_in(f.head).post(url(f, "cycle-members"), {"user": extra.pk, "role": "member"}).status_code
        == 403
    )
    assert officer.get(url(f, "cycle-member-remove", 999999)).status_code == 404


def test_only_the_member_opens_their_declaration(cast):
    f = field(cast)
    mine = url(f, "member-declare", f.group[1].pk)
    owner = signed_in(f.members[0])
    assert owner.get(mine).status_code == 200
    for user in (f.members[1], f.officer, f.head, cast.member, cast.foreigner):
        assert signed_in(user).get(mine).status_code == 404, user
    both = owner.post(mine, {"no_conflict": "on", "interests": "Shares in a brokerage"})
    assert both.status_code == 400 and "no_conflict" in both.context["form"].errors
    outside = owner.post(mine, {"interests": "Shares", "conflicts": [f.processes["DEC"].pk]})
    assert outside.status_code == 400 and "conflicts" in outside.context["form"].errors
    saved = owner.post(mine, {"interests": "Shares in a brokerage", "conflicts": [f.processes["EXA"].pk]})
    assert saved.status_code == 302
    with scopes_disabled():
        member = CycleMember.objects.get(pk=f.group[1].pk)
        assert not member.no_conflict and [p.code for p in member.conflicts.all()] == ["EXA"]
    wrong_cycle = reverse("member-declare", args=[f.organization.slug, f.cycle.pk + 1, f.group[1].pk])
    assert owner.get(wrong_cycle).status_code == 404


# --- Evidence -------------------------------------------------------------------------------------------


def test_an_interview_names_nobody_unless_told(cast):
    f = field(cast)
    client = signed_in(f.members[0])
    add = url(f, "cycle-evidence-add")
    saved = client.post(
        add,
        {
            "kind": "interview",
            "title": "Talk with a broker",
            "dated": "2026-02-03",
            "processes": [f.processes["EXA"].pk],
        },
    )
    assert saved.status_code == 302
    page = client.get(url(f, "cycle-evidence")).content.decode()
    assert "Talk with a broker" in page and "Interviewee not named" in page and "EXA" in page
    named = client.post(add, {"kind": "document", "title": "Audit", "interviewee": "Ann Auditor"})
    assert named.status_code == 400 and "interviewee" in named.context["form"].errors
    hostile = client.post(add, {"kind": "gossip", "title": "", "dated": "yesterday"})
    assert hostile.status_code == 400 and set(hostile.context["form"].errors) == {"kind", "title", "dated"}


def test_removing_a_source_asks_once(cast):
    f = field(cast)
    source = evidence_add(
        actor=f.officer, cycle=f.cycle, kind=EvidenceKind.DOCUMENT, title="Audit report 2025"
    )
    client = signed_in(f.officer)
    remove = url(f, "cycle-evidence-remove", source.pk)
    assert "This cannot be undone." in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    with scopes_disabled():
        assert not Evidence.objects.filter(pk=source.pk).exists()
    assert client.post(remove).status_code == 404


def test_readers_see_the_evidence_but_add_none(cast):
    f = field(cast)
    other = cycle_create(actor=f.officer, organization=f.organization, title="Other cycle")
    elsewhere = evidence_add(actor=f.officer, cycle=other, kind=EvidenceKind.DOCUMENT, title="Elsewhere")
    head: Client = signed_in(f.head)
    assert head.get(url(f, "cycle-evidence")).status_code == 200
    assert head.get(url(f, "cycle-evidence-add")).status_code == 403
    assert signed_in(f.officer).get(url(f, "cycle-evidence-remove", elsewhere.pk)).status_code == 404


# --- The section bar --------------------------------------------------------------------------------------


def test_the_section_bar_links_only_sections_that_exist(cast):
    f = field(cast)
    page = signed_in(f.officer).get(url(f, "cycle-detail")).content.decode()
    assert url(f, "cycle-members") in page and url(f, "cycle-evidence") in page
    assert url_or_none("no-such-screen", organization=f.organization.slug, cycle=f.cycle.pk) is None
    register = url_or_none("cycle-register", organization=f.organization.slug, cycle=f.cycle.pk)
    assert register is None or register in page

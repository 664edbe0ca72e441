"""An audit trail that can be trusted: sensitive values stay out, the chain finds tampering."""

from __future__ import annotations

import datetime
import itertools
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from arusha.core import audit_chain, services
from arusha.core.audit import (
    SENSITIVE,
    audit_change,
    audit_read,
    audit_record,
    sensitive_fields,
    sentence,
    snapshot,
)
from arusha.core.models import AuditChainHead, AuditEvent, User

ROOT = Path(__file__).resolve().parents[1]
PHONE = "+255 700 123 456"


def _all_events_text() -> str:
    with scopes_disabled():
        rows = AuditEvent.objects.values_list("actor_label", "object_repr", "changes")
        return json.dumps([list(row) for row in rows], ensure_ascii=False)


def _verify(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def _broken(*args: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        _verify(*args)
    assert caught.value.returncode == 1
    return caught.value


@pytest.fixture
def assessment(cast, small_pack):  # type: ignore[no-untyped-def]
    from arusha.assessments import services as assessment_services

    return assessment_services.assessment_create(
        actor=cast.owner,
        organization=cast.customs,
        title="Self-assessment 2027",
        framework_version=small_pack,
        mode=1,
        scope_kind="comprehensive",
        planned_start=datetime.date(2027, 1, 11),
        planned_end=datetime.date(2027, 3, 26),
    )


# --- Sensitive fields --------------------------------------------------------------------


def test_a_sensitive_field_is_recorded_as_changed_without_its_value(cast) -> None:  # type: ignore[no-untyped-def]
    from arusha.planning import services as planning_services

    planning_services.stakeholder_add(
        actor=cast.owner,
        organization=cast.customs,
        name="Brokers' association",
        kind="private_sector",
        contact=PHONE,
    )
    with scope(organization=cast.customs):
        event = AuditEvent.objects.get(action="arusha.plan.stakeholder.added")
    assert event.changes["contact"] == [SENSITIVE, SENSITIVE]
    assert event.changes["name"] == [None, "Brokers' association"]
    assert PHONE not in _all_events_text()


def test_terms_of_reference_contacts_never_enter_the_audit(cast, assessment) -> None:  # type: ignore[no-untyped-def]
    from arusha.assessments import services as assessment_services

    assessment_services.terms_update(
        actor=cast.owner,
        assessment=assessment,
        values={"objective": "Assess KF1 to KF10", "beneficiary_contacts": f"Ms Amani, {PHONE}"},
    )
    with scope(organization=cast.customs):
        event = AuditEvent.objects.filter(action="arusha.assessment.terms.updated").latest("sequence")
    assert event.changes["beneficiary_contacts"] == [SENSITIVE, SENSITIVE]
    assert event.changes["objective"] == ["", "Assess KF1 to KF10"]
    assert "Amani" not in _all_events_text()


def test_an_unchanged_sensitive_field_is_not_listed_and_a_changed_one_is(cast, assessment) -> None:  # type: ignore[no-untyped-def]
    from arusha.assessments import services as assessment_services

    participant = assessment_services.participant_invite(
        actor=cast.owner,
        assessment=assessment,
        email=cast.member.email,
        full_name="",
        idg_role="IC",
        gender="female",
    )
    for gender in ("female", "other"):
        assessment_services.participant_update(
            actor=cast.owner, participant=participant, idg_role="IC", stakeholder_group="",
            expertise="Risk", gender=gender, working_group=None,
        )  # fmt: skip
    with scope(organization=cast.customs):
        invited, same, changed = AuditEvent.objects.filter(
            object_id=str(participant.pk), action__startswith="arusha.assessment.participant"
        ).order_by("sequence")
    assert invited.changes["gender"] == [SENSITIVE, SENSITIVE]
    assert "gender" not in same.changes
    assert same.changes["expertise"] == ["", "Risk"]
    assert changed.changes == {"gender": [SENSITIVE, SENSITIVE]}


def test_a_snapshot_of_a_sensitive_field_shows_the_change_but_not_the_value(cast) -> None:  # type: ignore[no-untyped-def]
    comment = services.comment_add(
        actor=cast.owner, organization=cast.customs, target=cast.division, body="The informant is Ali"
    )
    before = snapshot(comment, ["body"])
    assert repr(before["body"]) == SENSITIVE
    assert before["body"] == "The informant is Ali"  # in memory only, to see whether it changed
    comment.body = "The informant is Bea"
    event = audit_change(
        actor=cast.owner,
        action="arusha.comment.added",
        obj=comment,
        organization=cast.customs,
        fields=["body"],
        before=before,
    )
    assert event.changes == {"body": [SENSITIVE, SENSITIVE]}
    # A comment's text is its body: the event names the comment by its id instead.
    assert event.object_repr == f"comment {comment.pk}"
    assert "informant" not in _all_events_text()


def test_a_hand_made_change_list_cannot_leak_a_sensitive_field(cast) -> None:  # type: ignore[no-untyped-def]
    from arusha.planning import services as planning_services

    stakeholder = planning_services.stakeholder_add(
        actor=cast.owner, organization=cast.customs, name="Carriers", kind="private_sector"
    )
    event = audit_record(
        actor=cast.owner,
        action="arusha.plan.stakeholder.added",
        obj=stakeholder,
        organization=cast.customs,
        changes={"contact": ["", PHONE], "interest": ["", "Faster clearance"]},
    )
    assert event.changes == {"contact": [SENSITIVE, SENSITIVE], "interest": ["", "Faster clearance"]}
    assert PHONE not in _all_events_text()


def test_a_comment_is_audited_by_its_id_not_its_text(cast) -> None:  # type: ignore[no-untyped-def]
    comment = services.comment_add(
        actor=cast.owner,
        organization=cast.customs,
        target=cast.division,
        body="Ask the night shift, not the chief",
    )
    with scope(organization=cast.customs):
        event = AuditEvent.objects.get(action="arusha.comment.added")
    assert event.changes == {"comment": [None, comment.pk]}
    assert "night shift" not in _all_events_text()


def test_the_audit_csv_holds_no_sensitive_value(client, cast) -> None:  # type: ignore[no-untyped-def]
    from arusha.planning import services as planning_services

    planning_services.stakeholder_add(
        actor=cast.owner, organization=cast.customs, name="Carriers", kind="private_sector", contact=PHONE
    )
    services.comment_add(
        actor=cast.owner, organization=cast.customs, target=cast.division, body="Confidential lead"
    )
    client.force_login(cast.owner)
    response = client.get(reverse("audit-list", args=[cast.customs.slug]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert SENSITIVE in text
    assert PHONE not in text
    assert "Confidential lead" not in text


def test_every_declared_sensitive_field_exists_and_every_secret_looking_field_is_declared() -> None:
    secret_words = ("password", "secret", "token", "digest", "otp", "recovery")
    for model in apps.get_models():
        if not model.__module__.startswith("arusha."):
            continue
        names = {field.name for field in model._meta.get_fields() if field.concrete}
        declared = sensitive_fields(model)
        assert declared <= names, f"{model.__name__} declares unknown fields {sorted(declared - names)}"
        looks_secret = {name for name in names if any(word in name for word in secret_words)}
        assert looks_secret <= declared, (
            f"{model.__name__}: declare {sorted(looks_secret - declared)} sensitive"
        )
    assert "password" in sensitive_fields(User)


# --- The chain ---------------------------------------------------------------------------


def test_the_chain_verifies_and_counts_every_event(cast) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        count = AuditEvent.objects.count()
        sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert count > 5
    assert sequences == list(range(1, count + 1))
    output = _verify()
    assert f"The audit chain holds: {count:,} events verified" in output
    head = AuditChainHead.objects.get()
    assert head.sequence == count
    assert head.hash in output


def test_each_event_carries_the_hash_of_the_one_before(cast) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        events = list(AuditEvent.objects.order_by("sequence"))
    assert events[0].previous_hash == audit_chain.GENESIS
    for earlier, later in itertools.pairwise(events):
        assert later.previous_hash == earlier.hash
        assert later.at >= earlier.at
    assert all(audit_chain.seal_event(event) == event.hash for event in events)


def _event(sequence: int) -> AuditEvent:
    with scopes_disabled():
        return AuditEvent.objects.get(sequence=sequence)


def _tamper(sequence: int, **values: object) -> AuditEvent:
    """What someone with database access does: rewrite a row behind the services' back."""
    event = _event(sequence)
    with scopes_disabled():
        AuditEvent.objects.filter(pk=event.pk).update(**values)
    return event


def test_changed_changes_are_reported_at_their_sequence(cast) -> None:  # type: ignore[no-untyped-def]
    event = _tamper(3, changes={"name": [None, "Something else"]})
    error = _broken()
    assert f"broken at sequence 3 (event id {event.pk})" in str(error)
    assert "content does not match its hash" in str(error)


def test_a_changed_actor_is_reported_at_its_sequence(cast) -> None:  # type: ignore[no-untyped-def]
    event = _tamper(4, actor=cast.outsider, actor_label=str(cast.outsider))
    assert f"broken at sequence 4 (event id {event.pk})" in str(_broken())


def test_a_changed_time_is_reported_at_its_sequence(cast) -> None:  # type: ignore[no-untyped-def]
    original = _event(2).at
    event = _tamper(2, at=original - datetime.timedelta(days=30))
    assert f"broken at sequence 2 (event id {event.pk})" in str(_broken())


def test_a_deleted_event_is_reported_as_a_gap(cast) -> None:  # type: ignore[no-untyped-def]
    with scopes_disabled():
        AuditEvent.objects.filter(sequence=5).delete()
    after = _event(6)
    error = str(_broken())
    assert "broken at sequence 5: that event is missing" in error
    assert f"id {after.pk}, has sequence 6" in error


def test_a_resealed_event_breaks_the_link_after_it(cast) -> None:  # type: ignore[no-untyped-def]
    event = _event(3)
    event.changes = {"name": [None, "Rewritten"]}
    event.hash = audit_chain.seal_event(event)
    with scopes_disabled():
        AuditEvent.objects.filter(pk=event.pk).update(changes=event.changes, hash=event.hash)
    following = _event(4)
    error = str(_broken())
    assert f"broken at sequence 4 (event id {following.pk}): its previous hash" in error


def test_deleting_the_last_events_is_reported_against_the_chain_head(cast) -> None:  # type: ignore[no-untyped-def]
    last = AuditChainHead.objects.get().sequence
    with scopes_disabled():
        AuditEvent.objects.filter(sequence__gte=last - 1).delete()
    error = str(_broken())
    assert f"the chain head says the last event is {last}, but the events stop at {last - 2}" in error


def test_a_missing_chain_head_is_reported(cast) -> None:  # type: ignore[no-untyped-def]
    AuditChainHead.objects.all().delete()
    assert "The audit chain head is missing" in str(_broken())


def test_a_rolled_back_write_gives_its_sequence_number_back(cast) -> None:  # type: ignore[no-untyped-def]
    last = AuditChainHead.objects.get().sequence
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_read(actor=cast.owner, obj=cast.division, organization=cast.customs)
        raise RuntimeError("the service fails after its audit record")
    event = audit_read(actor=cast.owner, obj=cast.division, organization=cast.customs)
    assert event.sequence == last + 1
    assert "The audit chain holds" in _verify()


def test_an_anchor_noted_earlier_catches_a_chain_rewritten_from_start_to_end(cast) -> None:  # type: ignore[no-untyped-def]
    noted = _event(2)
    assert _verify(f"--anchor={noted.sequence}:{noted.hash}")
    # Rewrite event 2 and reseal everything after it, head included: the chain holds again...
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(sequence__gte=2).order_by("sequence"))
        events[0].changes = {"name": [None, "History rewritten"]}
        previous = noted.previous_hash
        for event in events:
            event.previous_hash = previous
            event.hash = previous = audit_chain.seal_event(event)
        AuditEvent.objects.bulk_update(events, ["changes", "previous_hash", "hash"])
    AuditChainHead.objects.update(hash=previous)
    assert "The audit chain holds" in _verify()
    # ...but not against the hash noted outside the database.
    assert "does not match the anchor at sequence 2" in str(
        _broken(f"--anchor={noted.sequence}:{noted.hash}")
    )


# --- Reads ---------------------------------------------------------------------------------


def test_reading_a_confidential_object_is_recorded_in_the_chain(cast) -> None:  # type: ignore[no-untyped-def]
    event = audit_read(actor=cast.member, obj=cast.division, organization=cast.customs)
    assert event.action == "arusha.object.read"
    assert event.changes == {}
    assert sentence(event) == "Mark Member read Operations."
    assert event.sequence == AuditChainHead.objects.get().sequence
    assert "The audit chain holds" in _verify()


# --- Concurrent writers ----------------------------------------------------------------------

WRITERS, EACH = 8, 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_keep_one_valid_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "The in-memory SQLite test database has no concurrent writers; the file test covers SQLite."
        )
    from arusha.core.models import OrganizationKind

    org = services.organization_create(
        actor=None, slug="race-customs", name="Race Customs", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    user = services.user_create(email="racer@test.example", full_name="Rae Racer", password=None)
    start, errors = threading.Barrier(WRITERS), []

    def write() -> None:
        try:
            start.wait()
            for n in range(EACH):
                if n % 2:  # a read inside a service's transaction
                    with transaction.atomic():
                        audit_read(actor=user, obj=org, organization=org)
                else:  # a read in a GET view, outside any transaction
                    audit_read(actor=user, obj=org, organization=org)
        except Exception as error:  # the test reports every failure below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scopes_disabled():
        total = AuditEvent.objects.count()
        reads = AuditEvent.objects.filter(action="arusha.object.read").count()
    assert reads == WRITERS * EACH
    assert f"The audit chain holds: {total:,} events verified" in _verify()


SQLITE_RACE = textwrap.dedent(
    """
    import threading, django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from arusha.core import services
    from arusha.core.audit import audit_read
    from arusha.core.models import OrganizationKind

    call_command("migrate", "core", verbosity=0)  # core and what it stands on: enough here, and quick
    org = services.organization_create(
        actor=None, slug="race-customs", name="Race Customs", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    user = services.user_create(email="racer@test.example", full_name="Rae Racer", password=None)
    start, errors = threading.Barrier({writers}), []

    def write():
        try:
            start.wait()
            for n in range({each}):
                if n % 2:
                    with transaction.atomic():
                        audit_read(actor=user, obj=org, organization=org)
                else:
                    audit_read(actor=user, obj=org, organization=org)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range({writers})]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("errors:", errors)
    from django_scopes import scopes_disabled
    from arusha.core.models import AuditEvent
    with scopes_disabled():
        print("reads:", AuditEvent.objects.filter(action="arusha.object.read").count())
        print("total:", AuditEvent.objects.count())
    call_command("audit_verify")
    """
)


def test_concurrent_appends_on_a_sqlite_file_keep_one_valid_chain(tmp_path: Path) -> None:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("The PostgreSQL run covers concurrent writers in the test above.")
    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}", "ARUSHA_ENV": "test"}
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE.format(writers=WRITERS, each=EACH)],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "arusha.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(
        line.split(": ", 1)
        for line in result.stdout.splitlines()
        if line.startswith(("errors", "reads", "total"))
    )
    assert lines["errors"] == "[]"
    assert lines["reads"] == str(WRITERS * EACH)
    assert f"The audit chain holds: {int(lines['total']):,} events verified" in result.stdout


# --- The migration that seals the events written before the chain ---------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_hides_old_sensitive_values_and_seals_old_events_in_time_order() -> None:
    from django.db.migrations.executor import MigrationExecutor

    before_chain = [("core", "0002_roles_and_grants")]
    executor = MigrationExecutor(connection)
    executor.migrate(before_chain)
    old = executor.loader.project_state(before_chain).apps
    content_types = old.get_model("contenttypes", "ContentType").objects
    org = old.get_model("core", "Organization").objects.create(
        slug="old-customs", name="Old Customs", kind="customs"
    )
    org_type, _created = content_types.get_or_create(app_label="core", model="organization")
    stakeholder_type, _created = content_types.get_or_create(app_label="planning", model="stakeholder")
    comment = old.get_model("core", "Comment").objects.create(
        organization=org, content_type=org_type, object_id=str(org.pk), body="Ask the night shift"
    )
    now = datetime.datetime.now(datetime.UTC)
    events = old.get_model("core", "AuditEvent").objects
    common = {"organization": org, "actor_label": "Olive Owner"}
    written_last = events.create(
        **common,
        action="arusha.plan.stakeholder.added",
        content_type=stakeholder_type,
        object_id="7",
        object_repr="Carriers",
        changes={"name": [None, "Carriers"], "contact": [None, PHONE]},
        at=now,
    )
    comment_event = events.create(
        **common,
        action="arusha.comment.added",
        content_type=org_type,
        object_id=str(org.pk),
        object_repr="Old Customs",
        changes={"comment": [None, "Ask the night shift"]},
        at=now - datetime.timedelta(minutes=5),
    )
    written_first = events.create(
        **common,
        action="arusha.organization.created",
        content_type=org_type,
        object_id=str(org.pk),
        object_repr="Old Customs",
        at=now - datetime.timedelta(hours=1),
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    with scopes_disabled():
        sealed = {e.pk: e for e in AuditEvent.objects.all()}
    assert [sealed[e.pk].sequence for e in (written_first, comment_event, written_last)] == [1, 2, 3]
    assert sealed[written_last.pk].changes == {"name": [None, "Carriers"], "contact": [SENSITIVE, SENSITIVE]}
    assert sealed[comment_event.pk].changes == {"comment": [None, comment.pk]}
    assert PHONE not in _all_events_text()
    assert "night shift" not in _all_events_text()
    assert AuditChainHead.objects.get().sequence == 3
    assert "The audit chain holds: 3 events verified" in _verify()

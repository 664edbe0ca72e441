"""No lost or doubled work (issue 8, point 6): stale edits are refused, creates happen once.

The mechanism is arusha.core.concurrency; the form pages of every context use it through
arusha.core.form_pages. Every covered form of every context is walked in
src/arusha/planning/tests/test_conflicts.py; here the mechanism itself is tested on the
core's own objects (divisions, comments), and simultaneous writers on PostgreSQL.
"""

from __future__ import annotations

import datetime
import io
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from arusha.core import services
from arusha.core.concurrency import StaleEdit, create_once, new_key
from arusha.core.errors import DomainError
from arusha.core.models import Comment, CreationKey, Division, OrganizationKind, User


def _version_in(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None, "the edit form carries no version"
    return found.group(1)


def test_a_save_from_a_stale_version_is_refused_and_names_who_saved_first(cast) -> None:  # type: ignore[no-untyped-def]
    services.division_update(
        actor=cast.owner, division=cast.division, name="Operations East", code="OPS", parent=None, version=1
    )
    with scope(organization=cast.customs):
        stale_copy = Division.objects.get(pk=cast.division.pk)
    with pytest.raises(StaleEdit) as refused:
        services.division_update(
            actor=cast.owner, division=stale_copy, name="Operations West", code="OPS", parent=None, version=1
        )
    assert str(refused.value.message).startswith("Olive Owner saved a newer version (")
    assert "Your text is kept: compare it with theirs, then save again." in str(refused.value.message)
    assert refused.value.version == 2
    with scope(organization=cast.customs):
        assert Division.objects.get(pk=cast.division.pk).name == "Operations East"
    # The refused values do not linger on the caller's copy: it shows what is saved.
    assert stale_copy.name == "Operations East"


def test_a_save_without_a_version_is_not_checked_but_still_counts_one(cast) -> None:  # type: ignore[no-untyped-def]
    saved = services.division_update(
        actor=cast.owner, division=cast.division, name="Operations", code="OPS-2", parent=None
    )
    assert saved.version == 2 and saved.code == "OPS-2"


def test_a_stale_form_keeps_the_typed_text_and_shows_their_version(client, cast) -> None:  # type: ignore[no-untyped-def]
    url = reverse("division-edit", args=[cast.customs.slug, cast.division.pk])
    client.force_login(cast.owner)
    read_at = _version_in(client.get(url).content.decode())
    services.division_update(
        actor=cast.owner, division=cast.division, name="Operations East", code="OPS", parent=None
    )
    response = client.post(url, {"name": "Operations West", "code": "OPS", "version": read_at})
    page = response.content.decode()
    assert response.status_code == 400
    assert "saved a newer version" in page and "Their version" in page
    assert 'value="Operations West"' in page  # what was typed stays in the form
    assert "<dd>Operations East</dd>" in page  # what is saved, beside it
    # The form now carries the current version: saving again, once compared, goes through.
    again = client.post(url, {"name": "Operations West", "code": "OPS", "version": _version_in(page)})
    assert again.status_code == 302
    with scope(organization=cast.customs):
        assert Division.objects.get(pk=cast.division.pk).name == "Operations West"


# --- Creates --------------------------------------------------------------------------------


def _create_division(cast, name: str):  # type: ignore[no-untyped-def]
    return lambda: services.division_create(actor=cast.owner, organization=cast.customs, name=name)


def test_the_same_key_creates_once_and_answers_with_the_first_object(cast) -> None:  # type: ignore[no-untyped-def]
    key = new_key()
    first, created = create_once(key=key, actor=cast.owner, create=_create_division(cast, "Audit"))
    again, created_again = create_once(key=key, actor=cast.owner, create=_create_division(cast, "Audit"))
    assert created and not created_again and again.pk == first.pk
    with scope(organization=cast.customs):
        assert Division.objects.filter(name="Audit").count() == 1


def test_a_refused_create_leaves_its_key_free_for_the_corrected_form(cast) -> None:  # type: ignore[no-untyped-def]
    key = new_key()
    clash = lambda: services.division_create(  # noqa: E731  # "Port office" is there already
        actor=cast.owner, organization=cast.customs, name="Port office", parent=cast.division
    )
    with pytest.raises(DomainError):
        create_once(key=key, actor=cast.owner, create=clash)
    division, created = create_once(key=key, actor=cast.owner, create=_create_division(cast, "Audit"))
    assert created and division.name == "Audit"


def test_a_key_sent_by_another_person_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    key = new_key()
    create_once(key=key, actor=cast.owner, create=_create_division(cast, "Audit"))
    with pytest.raises(DomainError, match="already sent"):
        create_once(key=key, actor=cast.member, create=_create_division(cast, "Audit 2"))


def test_keys_older_than_a_day_are_purged(cast) -> None:  # type: ignore[no-untyped-def]
    old, other = new_key(), new_key()
    create_once(key=old, actor=cast.owner, create=_create_division(cast, "Audit"))
    create_once(key=other, actor=cast.member, create=lambda: cast.sub_division)
    CreationKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    # A person's own old keys go when they next create something…
    create_once(key=new_key(), actor=cast.owner, create=_create_division(cast, "Legal"))
    assert not CreationKey.objects.filter(key=old).exists()
    assert CreationKey.objects.filter(key=other).exists()
    # …and everyone's with the command an operator schedules.
    out = io.StringIO()
    call_command("creation_keys_purge", stdout=out)
    assert out.getvalue() == "1 creation key(s) deleted.\n"
    assert list(CreationKey.objects.values_list("user", flat=True)) == [cast.owner.pk]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_comment_sent_twice_with_one_form_is_added_once(client, cast, htmx) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.get(reverse("division-detail", args=[cast.customs.slug, cast.division.pk])).content.decode()
    key = re.search(r'name="idempotency_key" value="([\w-]+)"', page)
    assert key is not None, "the comment form carries no creation key"
    url = reverse("comment-create", args=[cast.customs.slug, "division", cast.division.pk])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    answers = [
        client.post(url, {"body": "Please check the code.", "idempotency_key": key.group(1)}, **headers)
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [200, 200] if htmx else [302, 302]
    with scope(organization=cast.customs):
        assert Comment.objects.filter(body="Please check the code.").count() == 1


# --- Simultaneous writers on PostgreSQL -------------------------------------------------------

RACERS = 20


def _race(work) -> list[object]:  # type: ignore[no-untyped-def]
    """Run `work` in RACERS threads released at once; what each returned or raised."""
    start, results = threading.Barrier(RACERS), []

    def run() -> None:
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # the test inspects every outcome
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _racing_world() -> tuple[object, User]:
    org = services.organization_create(
        actor=None, slug="race-customs", name="Race Customs", kind=OrganizationKind.CUSTOMS, country="XA"
    )
    user = services.user_create(email="racer@test.example", full_name="Rae Racer", password=None)
    services.membership_create(actor=None, organization=org, user=user, roles=["administrator"])
    return org, user


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("The in-memory SQLite test database has no concurrent writers.")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_of_one_create_form_make_one_row_on_postgresql() -> None:
    _postgresql_only()
    org, user = _racing_world()
    key = new_key()

    def submit() -> int:
        division, _created = create_once(
            key=key,
            actor=user,
            create=lambda: services.division_create(actor=user, organization=org, name="Raced"),  # type: ignore[arg-type]
        )
        return division.pk

    results = _race(submit)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    with scopes_disabled():
        assert Division.objects.filter(name="Raced").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_from_one_version_let_exactly_one_win_on_postgresql() -> None:
    _postgresql_only()
    org, user = _racing_world()
    division = services.division_create(actor=user, organization=org, name="Raced")  # type: ignore[arg-type]
    names = iter(range(RACERS))
    lock = threading.Lock()

    def save() -> str:
        with lock:
            n = next(names)
        with scopes_disabled():
            copy = Division.objects.get(pk=division.pk)
        services.division_update(
            actor=user, division=copy, name=f"Raced {n}", code="", parent=None, version=1
        )
        return f"Raced {n}"

    results = _race(save)
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1
    assert all(isinstance(r, StaleEdit) for r in results if not isinstance(r, str)), results
    with scopes_disabled():
        saved = Division.objects.get(pk=division.pk)
    assert (saved.name, saved.version) == (winners[0], 2)

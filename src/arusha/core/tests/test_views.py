"""Screens of the core context: forms, lists, exports, language, sign-in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse
from django_scopes import scope

from arusha.core import services
from arusha.core.models import Division, User

PASSWORD = "correct-horse-battery-staple"
ROOT = Path(__file__).resolve().parents[4]


def test_a_manager_creates_a_division_through_the_form(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("division-create", args=[cast.customs.slug]),
        {"name": "Audit", "code": "AUD", "parent": cast.division.pk},
    )
    with scope(organization=cast.customs):
        created = Division.objects.get(name="Audit")
    assert response.status_code == 302 and created.parent == cast.division


def test_a_form_error_is_shown_next_to_its_field(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("division-create", args=[cast.customs.slug]),
        {"name": "Port office", "parent": cast.division.pk},
    )
    page = response.content.decode()
    assert response.status_code == 400  # a refused form answers 400 (arusha.core.form_pages)
    assert "already exists at this place" in page and 'aria-invalid="true"' in page


def test_adding_a_member_by_e_mail_sends_an_invitation(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("member-add", args=[cast.customs.slug]),
        {"email": "outsider@test.example", "roles": ["coordinator"], "job_title": "Coordinator"},
    )
    assert response.status_code == 302
    # Nobody becomes a member before accepting (arusha.accounts.tests.test_invitations).
    client.force_login(cast.outsider)
    assert client.get(reverse("organization-home", args=[cast.customs.slug])).status_code == 404


def test_the_member_list_paginates_and_searches(client, cast) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        user = services.user_create(email=f"p{n}@test.example", full_name=f"Person {n:02d}", password=None)
        services.membership_create(actor=None, organization=cast.customs, user=user, roles=["contributor"])
    client.force_login(cast.owner)
    url = reverse("member-list", args=[cast.customs.slug])
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first
    found = client.get(url, {"q": "Person 07"}).content.decode()
    assert "Person 07" in found and "Person 08" not in found
    partial = client.get(url, {"q": "Person 07"}, headers={"HX-Request": "true"}).content.decode()
    assert "Person 07" in partial and "<html" not in partial


def test_the_member_list_exports_every_member_as_csv(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    response = client.get(reverse("member-list", args=[cast.customs.slug]), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0].startswith("Name,E-mail address,Roles") and len(lines) == 3


def test_the_audit_trail_reads_as_sentences(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.get(reverse("audit-list", args=[cast.customs.slug])).content.decode()
    assert "Olive Owner created the division Port office." in page


def test_an_object_history_page_lists_its_changes(client, cast) -> None:  # type: ignore[no-untyped-def]
    services.division_update(
        actor=cast.owner, division=cast.division, name="Operations HQ", code="OPS", parent=None
    )
    client.force_login(cast.owner)
    page = client.get(
        reverse("object-history", args=[cast.customs.slug, "division", cast.division.pk])
    ).content.decode()
    assert "Olive Owner changed the division Operations HQ." in page and "Port office" not in page


def test_commenting_through_htmx_returns_the_thread(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("comment-create", args=[cast.customs.slug, "division", cast.division.pk])
    response = client.post(url, {"body": "Looks right."}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and "Looks right." in page and "<html" not in page


def test_switching_language_saves_the_preference_and_translates_pages(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    response = client.post(reverse("set-language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.preferred_language == "fr"
    page = client.get(reverse("organization-home", args=[cast.customs.slug])).content.decode()
    assert 'lang="fr"' in page and "Membres" in page


def test_signing_in_uses_the_persons_language(client, cast) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(pk=cast.member.pk).update(preferred_language="es")
    client.post(reverse("login"), {"login": "member@test.example", "password": PASSWORD})
    page = client.get(reverse("home")).content.decode()
    assert 'lang="es"' in page and "Mis organizaciones" in page


def test_repeated_failed_sign_ins_lock_the_account_out(client, cast) -> None:  # type: ignore[no-untyped-def]
    for _attempt in range(5):
        client.post(reverse("login"), {"login": "member@test.example", "password": "wrong"})
    response = client.post(reverse("login"), {"login": "member@test.example", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2_outside_tests() -> None:
    from django.conf import settings

    assert "Argon2PasswordHasher" in settings.PASSWORD_HASHERS[1]


def test_production_settings_pass_the_deployment_check() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "ARUSHA_ENV": "production",
        "ARUSHA_SECRET_KEY": "x9!" + "k" * 60 + "Zq#7",
        "ARUSHA_ALLOWED_HOSTS": "arusha.example.org",
        "DATABASE_URL": "sqlite:////tmp/arusha-deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "ARUSHA_SECRET_KEY"} | {"ARUSHA_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "ARUSHA_SECRET_KEY" in result.stderr


def test_a_refused_attachment_is_explained_on_the_page_it_came_from(client, cast) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.member)
    detail = reverse("division-detail", args=[cast.customs.slug, cast.division.pk])
    response = client.post(
        reverse("attachment-upload", args=[cast.customs.slug, "division", cast.division.pk]),
        {"file": SimpleUploadedFile("run.exe", b"MZ"), "next": detail},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == detail
    assert "File: Files of type “exe” are not accepted." in page

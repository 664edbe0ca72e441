"""Everyone who works in the cases section reaches it from the organization's bar, at their own page."""

from __future__ import annotations

from django.urls import reverse
from tests.cases import desk, person, signed_in


def _cases_link(client, cast) -> str | None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("organization-home", args=[cast.customs.slug])).content.decode()
    marker = '">Cases</a></li>'
    if marker not in page:
        return None
    return str(page.split(marker)[0].rsplit('href="', 1)[1])


def test_the_cases_link_leads_each_person_to_the_first_page_they_may_open(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    analyst = person(cast, "analyst@test.example", "Ana Analyst", ["analyst"], vault=False)
    slug = cast.customs.slug
    assert _cases_link(signed_in(d.officer), cast) == reverse("case-list", args=[slug])
    assert _cases_link(signed_in(d.handler), cast) == reverse("case-list", args=[slug])
    assert _cases_link(signed_in(d.custodian), cast) == reverse("disclosure-list", args=[slug])
    assert _cases_link(signed_in(analyst), cast) == reverse("case-statistics", args=[slug])
    assert _cases_link(signed_in(cast.owner), cast) == reverse("channel-list", args=[slug])
    assert _cases_link(signed_in(cast.member), cast) is None


def test_the_section_bar_lists_only_the_pages_the_person_may_open(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    slug = cast.customs.slug
    officer = signed_in(d.officer).get(reverse("case-list", args=[slug])).content.decode()
    for name in ("cases-vault", "case-statistics", "case-retention", "channel-list", "case-settings"):
        assert f'href="{reverse(name, args=[slug])}"' in officer, name
    assert f'href="{reverse("disclosure-list", args=[slug])}"' not in officer
    owner = signed_in(cast.owner).get(reverse("channel-list", args=[slug])).content.decode()
    assert f'href="{reverse("category-list", args=[slug])}"' in owner
    assert f'href="{reverse("case-list", args=[slug])}"' not in owner

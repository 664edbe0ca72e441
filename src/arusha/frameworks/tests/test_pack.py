"""The built-in RAD/IDG pack: complete, three languages, IDG numbering."""

from __future__ import annotations

from collections import Counter

from arusha.frameworks.models import Area, Question

AREAS = ["KF1", "KF2", "KF3", "KF4", "KF5", "KF6", "KF7", "KF8", "KF9", "KF10", "CA1", "CA2", "CA3", "GED"]
# Questions per area in IDG Annex 3.
COUNTS = {
    "KF1": 23,
    "KF2": 17,
    "KF3": 31,
    "KF4": 30,
    "KF5": 22,
    "KF6": 29,
    "KF7": 15,
    "KF8": 36,
    "KF9": 19,
    "KF10": 21,
    "CA1": 10,
    "CA2": 6,
    "CA3": 9,
    "GED": 14,
}


def test_the_builtin_pack_covers_every_area_of_annex_3(builtin_pack) -> None:  # type: ignore[no-untyped-def]
    assert [a.code for a in Area.objects.filter(version=builtin_pack)] == AREAS
    assert builtin_pack.questions.count() == 282
    per_area = Counter(Question.objects.filter(version=builtin_pack).values_list("area__code", flat=True))
    assert dict(per_area) == COUNTS


def test_key_factor_3_skips_question_19_as_the_idg_does(builtin_pack) -> None:  # type: ignore[no-untyped-def]
    numbers = list(
        Question.objects.filter(version=builtin_pack, area__code="KF3").values_list("number", flat=True)
    )
    assert 19 not in numbers and numbers == [n for n in range(1, 33) if n != 19]


def test_question_codes_follow_area_topic_number(builtin_pack) -> None:  # type: ignore[no-untyped-def]
    topic = Question.objects.get(version=builtin_pack, code="KF6.II.4").topic
    assert topic is not None
    assert topic.code == "KF6.II"
    assert Question.objects.get(version=builtin_pack, code="CA2.3").topic is None


def test_every_question_and_area_speaks_english_french_and_spanish(builtin_pack) -> None:  # type: ignore[no-untyped-def]
    for question in Question.objects.filter(version=builtin_pack):
        for field in (question.text, question.guidance):
            assert set(field) == {"en", "fr", "es"} and all(len(v) > 20 for v in field.values()), (
                question.code
            )
        assert question.idg_reference.startswith("Annex 3"), question.code
    for area in Area.objects.filter(version=builtin_pack):
        assert set(area.summary) == {"en", "fr", "es"} and all(area.summary.values()), area.code
        assert all(area.title.values()), area.code

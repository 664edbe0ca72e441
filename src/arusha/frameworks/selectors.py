"""Reads of the frameworks context. Packs are platform-wide, not tenant data."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from arusha.frameworks.loader import fold
from arusha.frameworks.models import Area, FrameworkVersion, Question, Topic


def version_list() -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.select_related("framework").annotate(
        area_count=Count("areas", distinct=True), question_count=Count("questions", distinct=True)
    )


def version_get(code: str, version: str) -> FrameworkVersion:
    found = (
        FrameworkVersion.objects.select_related("framework")
        .filter(framework__code=code, version=version)
        .first()
    )
    if found is None:
        raise Http404
    return found


def area_list(version: FrameworkVersion) -> QuerySet[Area]:
    return version.areas.annotate(
        question_count=Count("questions", distinct=True), topic_count=Count("topics", distinct=True)
    )


def area_get(version: FrameworkVersion, code: str) -> Area:
    area = (
        Area.objects.filter(version=version, code=code)
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.prefetch_related("questions")),
            Prefetch(
                "questions", queryset=Question.objects.filter(topic__isnull=True), to_attr="loose_questions"
            ),
        )
        .first()
    )
    if area is None:
        raise Http404
    return area


def question_search(version: FrameworkVersion, query: str) -> QuerySet[Question]:
    """Questions whose code, text or guidance holds every word of the query, in any language."""
    questions = Question.objects.filter(version=version).select_related("area", "topic")
    words = fold(query).split()
    if not words:
        return questions.none()
    for word in words:
        questions = questions.filter(search_text__contains=word)
    return questions


def questions_of(version: FrameworkVersion) -> QuerySet[Question]:
    return Question.objects.filter(version=version).select_related("area", "topic")

"""Writes of the frameworks context: loading a validated pack, locking a version."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.frameworks.loader import ParsedPack, fold
from arusha.frameworks.models import Area, Framework, FrameworkVersion, Question, Topic
from arusha.frameworks.schema import QuestionSchema


def _question(
    version: FrameworkVersion, area: Area, topic: Topic | None, q: QuestionSchema, order: int
) -> Question:
    search = " ".join([q.code, *q.text.values(), *q.guidance.values()])
    return Question(
        version=version,
        area=area,
        topic=topic,
        code=q.code,
        number=q.number,
        order=order,
        idg_reference=q.idg_reference,
        text=q.text,
        guidance=q.guidance,
        search_text=fold(search),
    )


@transaction.atomic
def framework_load(
    *, actor: User | None, parsed: ParsedPack, builtin: bool = False
) -> tuple[FrameworkVersion, bool]:
    """Write a validated pack. Returns the version and whether anything was written.

    Loading the same content again changes nothing. A version that differs from one
    already loaded is refused once an assessment has locked it; before that, it
    replaces the earlier load. Any other version number loads beside the others.
    """
    pack = parsed.pack
    framework, _created = Framework.objects.get_or_create(code=pack.code)
    existing = FrameworkVersion.objects.filter(framework=framework, version=pack.version).first()
    if existing is not None:
        if existing.checksum == parsed.checksum:
            return existing, False
        if existing.locked_at is not None:
            raise DomainError(
                _(
                    "Version %(version)s of %(code)s is used by an assessment and cannot change: "
                    "give the pack a new version number."
                )
                % {"version": pack.version, "code": pack.code},
                field="version",
            )
        existing.delete()
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=pack.version,
        name=pack.name,
        description=pack.description,
        languages=pack.languages,
        source=pack.source,
        checksum=parsed.checksum,
        is_builtin=builtin,
        loaded_by=actor,
    )
    areas = Area.objects.bulk_create(
        Area(
            version=version,
            code=a.code,
            kind=a.kind,
            order=a.order,
            idg_reference=a.idg_reference,
            title=a.title,
            summary=a.summary,
        )
        for a in pack.areas
    )
    topic_rows: list[tuple[Topic, int]] = []
    for area_index, area in enumerate(pack.areas):
        topic_rows += [
            (Topic(area=areas[area_index], code=t.code, order=t.order, title=t.title), area_index)
            for t in area.topics
        ]
    topics = Topic.objects.bulk_create(row for row, _index in topic_rows)
    questions: list[Question] = []
    topic_iter = iter(topics)
    order = 0
    for area_index, area in enumerate(pack.areas):
        for q in area.questions:
            order += 1
            questions.append(_question(version, areas[area_index], None, q, order))
        for t in area.topics:
            topic = next(topic_iter)
            for q in t.questions:
                order += 1
                questions.append(_question(version, areas[area_index], topic, q, order))
    Question.objects.bulk_create(questions, batch_size=500)
    audit_record(
        actor=actor,
        action="arusha.framework.loaded",
        obj=version,
        organization=None,
        changes={"questions": [None, len(questions)], "checksum": [None, parsed.checksum]},
    )
    return version, True


@transaction.atomic
def framework_version_lock(*, version: FrameworkVersion) -> FrameworkVersion:
    """Freeze a version: called when an assessment first pins it."""
    if version.locked_at is None:
        version.locked_at = timezone.now()
        version.save(update_fields=["locked_at"])
    return version

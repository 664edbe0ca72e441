"""The steps and activities of an integrity assessment, per IDG Annex 4.

Numbering and the responsible roles per mode follow the IDG; the descriptions are
the project's own words. `None` for a mode means the activity does not apply to it
(the IDG's "N/A"); an empty string means the IDG names no role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Step(models.IntegerChoices):
    SCOPE = 1, _("Scope of the assessment")
    WORKING_GROUPS = 2, _("Working groups")
    BACKGROUND = 3, _("Background review")
    PLANNING = 4, _("Planning")
    ANALYSIS = 5, _("Situational analysis")
    REPORTING = 6, _("Reporting")


@dataclass(frozen=True)
class Activity:
    code: str
    step: int
    title: Promise
    # Responsible roles in modes 1, 2 and 3 (NCP, LF, EF, SM, WG), or None when not applicable.
    mode_1: str | None
    mode_2: str | None
    mode_3: str | None

    def responsible(self, mode: int) -> str | None:
        return {1: self.mode_1, 2: self.mode_2, 3: self.mode_3}[mode]


ACTIVITIES: tuple[Activity, ...] = (
    Activity("1.1", 1, _("Choose the mode of the assessment"), "", "", ""),
    Activity("1.2", 1, _("Set the timing and period of the assessment"), "", "", ""),
    Activity("1.3", 1, _("Name the responsible divisions and people"), "", "", ""),
    Activity("2.1", 2, _("Select the internal and external contributors"), "NCP, LF", "NCP, LF", None),
    Activity("2.2", 2, _("Reach out to the partner organization and the external facilitators"), "", "", ""),
    Activity(
        "2.3",
        2,
        _("Agree on everyone's roles and responsibilities; meet the team"),
        "NCP, LF, EF",
        "NCP, LF, EF",
        "",
    ),
    Activity("2.4", 2, _("Agree on the remote working and collaboration tools"), None, "LF, EF", None),
    Activity(
        "2.5", 2, _("Brief the local facilitators on the documents, activities and tasks"), None, "EF", None
    ),
    Activity(
        "3.1",
        3,
        _("Gather the background documents and note what matters in them"),
        "NCP, LF, EF",
        "NCP, LF, EF",
        "LF, WG",
    ),
    Activity(
        "3.2",
        3,
        _("Share, present and study the background documents"),
        "NCP, LF, EF",
        "NCP, LF, EF",
        "LF, WG",
    ),
    Activity(
        "3.3",
        3,
        _("Present the WCO integrity work and tools: the RAD and the IDG"),
        "EF",
        "LF (EF guiding remotely)",
        "LF",
    ),
    Activity(
        "3.4",
        3,
        _("Present the administration's own integrity and anti-corruption initiatives"),
        "LF",
        "LF",
        "LF",
    ),
    Activity(
        "4.1",
        4,
        _("Prepare, with the external experts, the strategic talk with the head of administration"),
        "NCP, LF, EF",
        "NCP, LF, EF",
        None,
    ),
    Activity(
        "4.2",
        4,
        _("Hold the high-level talk between the two organizations' leaders"),
        "SM, LF, EF",
        "SM, LF, EF",
        None,
    ),
    Activity(
        "4.3",
        4,
        _("Agree on approach, logistics, calendar, tools and deliverables"),
        None,
        "NCP, LF, EF",
        None,
    ),
    Activity(
        "4.4", 4, _("Draft the terms of reference (objectives, inputs, outputs, outcomes)"), "EF", "EF", "LF"
    ),
    Activity("4.5", 4, _("Draft the agenda and the details of the joint work"), "EF, LF", "EF, LF", "LF"),
    Activity("5.1", 5, _("Instruct the contributors and introduce them to the IDG"), "EF", "LF", "LF"),
    Activity(
        "5.2",
        5,
        _("Walk the contributors through the templates and the checklist"),
        "EF, LF, WG",
        "LF, WG",
        "LF, WG",
    ),
    Activity("5.3", 5, _("Assess each key factor in the assigned working groups"), "WG", "WG", "WG"),
    Activity(
        "5.4",
        5,
        _("Review the groups' results and assess all key factors together"),
        "EF, LF, WG",
        "LF, WG",
        "LF, WG",
    ),
    Activity("5.5", 5, _("Visit operational sites"), "EF, LF", None, ""),
    Activity("5.6", 5, _("Prepare the material for action planning"), "EF, LF, WG", "LF, WG", "LF, WG"),
    Activity("6.1", 6, _("Draft the assessment report for decision-makers"), "EF, LF", "EF, LF", "LF"),
    Activity(
        "6.2",
        6,
        _("Collect feedback on the assessment: impact, challenges, improvements, lessons"),
        "EF, LF",
        "EF, LF",
        "LF",
    ),
)


def activities_for(mode: int) -> list[tuple[Activity, str]]:
    """The activities that apply to a mode, each with its responsible roles."""
    result = []
    for activity in ACTIVITIES:
        responsible = activity.responsible(mode)
        if responsible is not None:
            result.append((activity, responsible))
    return result


BY_CODE = {activity.code: activity for activity in ACTIVITIES}

from django.apps import AppConfig
from django.db.models import Model
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "arusha.surveys"
    label = "surveys"
    verbose_name = _("Perception surveys")

    def ready(self) -> None:
        from arusha.core.access import register_parent, register_policy
        from arusha.core.permissions import register_permissions
        from arusha.surveys import models as m
        from arusha.surveys.access import PERMISSIONS, StationPolicy, SurveyPolicy

        register_permissions(*PERMISSIONS)
        register_policy(SurveyPolicy())
        register_policy(StationPolicy())
        survey_parts: tuple[type[Model], ...] = (m.RespondentGroup, m.QuestionnaireVersion, m.Wave)
        for kind in survey_parts:
            register_parent(kind, lambda obj: obj.survey)
        version_parts: tuple[type[Model], ...] = (m.Item, m.Choice)
        for kind in version_parts:
            register_parent(kind, lambda obj: obj.questionnaire)
        wave_parts: tuple[type[Model], ...] = (m.Population, m.OpenKey, m.Invitation, m.Envelope, m.Response)
        for kind in wave_parts:
            register_parent(kind, lambda obj: obj.wave)
        register_parent(m.Resend, lambda obj: obj.envelope)

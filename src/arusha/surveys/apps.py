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
        from arusha.core.audit import register_sentences
        from arusha.surveys.sentences import SENTENCES as SETUP_SENTENCES

        register_sentences(SETUP_SENTENCES)
        from arusha.surveys.processing_sentences import SENTENCES as PROCESSING_SENTENCES

        register_sentences(PROCESSING_SENTENCES)
        from arusha.surveys import metrics
        from arusha.surveys.microdata import SENTENCES as MICRODATA_SENTENCES

        register_sentences(MICRODATA_SENTENCES)
        from arusha.surveys.station_sentences import SENTENCES as STATION_SENTENCES

        register_sentences(STATION_SENTENCES)
        metrics.register()

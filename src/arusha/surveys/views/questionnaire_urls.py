"""URLs of the survey set-up screens (included by arusha.surveys.urls): surveys, groups, versions, waves."""

from django.urls import URLPattern, path

from arusha.surveys.views import questionnaire_views as views
from arusha.surveys.views import wave_views as waves

urlpatterns: list[URLPattern] = [
    path("", views.survey_list, name="survey-list"),
    path("add/", views.survey_add, name="survey-add"),
    path("<int:survey>/", views.survey_detail, name="survey-detail"),
    path("<int:survey>/edit/", views.survey_edit, name="survey-edit"),
    path("<int:survey>/example/", views.survey_example, name="survey-example"),
    path("<int:survey>/groups/add/", views.group_add, name="group-add"),
    path("<int:survey>/groups/<int:group>/", views.group_edit, name="group-edit"),
    path("<int:survey>/versions/import/", views.version_import, name="version-import"),
    path("<int:survey>/versions/<int:number>/", views.version_detail, name="version-detail"),
    path("<int:survey>/versions/<int:number>/export/", views.version_export, name="version-export"),
    path("<int:survey>/versions/<int:number>/replace/", views.version_replace, name="version-replace"),
    path("<int:survey>/versions/<int:number>/publish/", views.version_publish, name="version-publish"),
    path("<int:survey>/versions/<int:number>/new/", views.version_new, name="version-new"),
    path("<int:survey>/versions/<int:number>/delete/", views.version_delete, name="version-delete"),
    path("<int:survey>/waves/add/", waves.wave_add, name="wave-add"),
    path("waves/<int:wave>/", waves.wave_detail, name="wave-detail"),
    path("waves/<int:wave>/edit/", waves.wave_edit, name="wave-edit"),
    path("waves/<int:wave>/populations/", waves.wave_populations, name="wave-populations"),
    path("waves/<int:wave>/open/", waves.wave_open, name="wave-open"),
    path("waves/<int:wave>/close/", waves.wave_close, name="wave-close"),
]

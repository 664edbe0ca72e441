"""URLs of the processing screens (included by arusha.surveys.urls): what staff do with what arrives."""

from django.urls import URLPattern, path

from arusha.surveys.views import processing_views as views

urlpatterns: list[URLPattern] = [
    path("waves/<int:wave>/key/", views.wave_key, name="wave-key"),
    path("waves/<int:wave>/intake/", views.wave_intake, name="wave-intake"),
    path("waves/<int:wave>/quarantine/", views.wave_quarantine, name="wave-quarantine"),
    path("waves/<int:wave>/resends/", views.wave_resends, name="wave-resends"),
    path("waves/<int:wave>/upload/", views.wave_upload, name="wave-upload"),
    path("waves/<int:wave>/paper/", views.wave_paper, name="wave-paper"),
    path("waves/<int:wave>/import/", views.wave_import, name="wave-import"),
]

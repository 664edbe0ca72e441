"""The library of risk mapping, under /o/<organization>/risks/library/: process catalogue and matrices."""

from django.urls import URLPattern, URLResolver, path

from arusha.risks.views import library_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", views.risk_library, name="risk-library"),
    path("library/install/", views.catalogue_install, name="catalogue-install"),
    path("library/matrices/add/", views.matrix_add, name="matrix-add"),
    path("library/matrices/<int:matrix>/", views.matrix_detail, name="matrix-detail"),
    path("library/matrices/<int:matrix>/edit/", views.matrix_edit, name="matrix-edit"),
    path("library/processes/add/", views.process_add, name="process-add"),
    path("library/processes/<int:process>/", views.process_detail, name="process-detail"),
    path("library/processes/<int:process>/edit/", views.process_edit, name="process-edit"),
    path("library/processes/<int:process>/out-of-use/", views.process_deactivate, name="process-deactivate"),
    path("library/processes/<int:process>/in-use/", views.process_activate, name="process-activate"),
    path("library/processes/<int:process>/remove/", views.process_delete, name="process-delete"),
    path("library/processes/<int:process>/scenarios/add/", views.scenario_add, name="scenario-add"),
    path(
        "library/processes/<int:process>/scenarios/<int:scenario>/edit/",
        views.scenario_edit,
        name="scenario-edit",
    ),
]

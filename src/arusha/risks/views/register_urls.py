"""URLs of the risk register (included by arusha.risks.urls under /o/<organization>/risks/)."""

from django.urls import URLPattern, URLResolver, path

from arusha.risks.views import register_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:cycle>/register/", views.cycle_register, name="cycle-register"),
    path("<int:cycle>/risks/add/", views.risk_add, name="risk-add"),
    path("risks/<int:risk>/", views.risk_detail, name="risk-detail"),
    path("risks/<int:risk>/edit/", views.risk_edit, name="risk-edit"),
    path("risks/<int:risk>/rate/", views.risk_rate, name="risk-rate"),
    path("risks/<int:risk>/controls/add/", views.control_add, name="control-add"),
    path("risks/<int:risk>/controls/<int:control>/", views.control_edit, name="control-edit"),
    path("risks/<int:risk>/controls/<int:control>/remove/", views.control_remove, name="control-remove"),
    path("risks/<int:risk>/treatments/add/", views.treatment_add, name="treatment-add"),
    path("risks/<int:risk>/treatments/<int:treatment>/", views.treatment_edit, name="treatment-edit"),
    path("risks/<int:risk>/treatments/<int:treatment>/plan/", views.treatment_plan, name="treatment-plan"),
    path("risks/<int:risk>/acceptances/add/", views.acceptance_submit, name="acceptance-submit"),
    path(
        "risks/<int:risk>/acceptances/<int:acceptance>/decide/",
        views.acceptance_decide,
        name="acceptance-decide",
    ),
]

"""The register's exports and import, under /o/<organization>/risks/."""

from django.urls import URLPattern, URLResolver, path

from arusha.risks.views import io_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:cycle>/export/<str:fmt>/", views.register_export, name="register-export"),
    path(
        "<int:cycle>/export/<str:fmt>/progress/",
        views.register_export_progress,
        name="register-export-progress",
    ),
    path("<int:cycle>/export/<str:fmt>/<int:pk>/", views.register_export_file, name="register-export-file"),
    path("<int:cycle>/import/", views.register_import, name="register-import"),
]

from django.urls import path

from arusha.frameworks import views

urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("upload/", views.pack_upload, name="framework-upload"),
    path("<slug:code>/<str:version>/", views.version_detail, name="framework-version"),
    path("<slug:code>/<str:version>/<str:area>/", views.area_detail, name="framework-area"),
]

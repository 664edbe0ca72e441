"""What stations and respondents reach without an account: the station app and its API, the online survey."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

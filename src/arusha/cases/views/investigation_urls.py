"""URLs of the cases context's investigation screens (included by arusha.cases.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

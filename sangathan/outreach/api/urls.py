"""The outreach API, mounted in sangathan.config.urls."""

from django.urls import path  # noqa: F401

app_name = "outreach_api"

urlpatterns: list = []

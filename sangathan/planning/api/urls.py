"""The planning API, mounted in sangathan.config.urls."""

from django.urls import path  # noqa: F401

app_name = "planning_api"

urlpatterns: list = []

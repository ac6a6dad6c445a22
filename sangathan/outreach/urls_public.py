"""The recipient's pages, no login: /m/<signed token>/ (mounted in sangathan.config.urls)."""

from django.urls import path

from sangathan.outreach import views_public

app_name = "outreach_public"

urlpatterns = [path("<str:token>/", views_public.open_message, name="open")]

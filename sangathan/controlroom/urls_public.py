"""Public pages of the controlroom app, reached without signing in (mounted at /r/ in sangathan.config.urls):
an office-bearer's daily report from their personal link."""

from django.urls import path

from sangathan.controlroom import views_public

app_name = "controlroom_public"

urlpatterns = [path("<str:token>/", views_public.report, name="report")]

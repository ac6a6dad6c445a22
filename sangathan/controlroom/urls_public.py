"""Public pages of the controlroom app, reached without signing in (mounted at /r/ in sangathan.config.urls):
an office-bearer's daily report from their personal link."""

from django.urls import path

from sangathan.controlroom import views_public, views_rumour

app_name = "controlroom_public"

urlpatterns = [
    path("<str:token>/", views_public.report, name="report"),
    # "Report a rumour" to the fact-check desk from the same link: the tip carries the appointment's unit.
    path("<str:token>/rumour/", views_rumour.report_rumour, name="rumour"),
]

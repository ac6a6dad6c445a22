"""Public pages of the factcheck app, reached without signing in (mounted in sangathan.config.urls)."""

from django.urls import path

from sangathan.factcheck import views_public, views_reported, webhooks

app_name = "factcheck_public"

urlpatterns = [
    path("", views_public.tipline, name="tipline"),
    path("hooks/whatsapp/", webhooks.whatsapp, name="whatsapp_webhook"),
    path("hooks/telegram/", webhooks.telegram, name="telegram_webhook"),
    # "Report a rumour" from a cascade message link (/m/<token>/): the tip carries the link's unit.
    path("m/<str:token>/", views_reported.cascade_rumour, name="cascade_rumour"),
    # A published fact-check, in Hindi or English, with its schema.org ClaimReview.
    path("checked/<int:pk>/<str:lang>/", views_public.claim_public, name="claim"),
]

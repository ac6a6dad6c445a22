"""Public pages of the membership app, reached without signing in (mounted at /join/ in
sangathan.config.urls). The fixed paths come first: referral codes are upper case and never contain
"-", so no code can take them."""

from django.urls import path

from sangathan.membership import views_me, views_public, views_webhooks

app_name = "membership_public"

urlpatterns = [
    path("card/<str:token>/", views_public.card, name="card"),
    path("check/<str:token>/", views_public.check, name="check"),
    path("not-me/<str:token>/", views_public.not_me, name="not_me"),
    path("me/", views_me.ask, name="me"),
    path("me/data/", views_me.data, name="me_data"),
    path("me/data.json", views_me.download, name="me_download"),
    path("me/correct/", views_me.correct, name="me_correct"),
    path("me/withdraw/", views_me.withdraw, name="me_withdraw"),
    path("me/places/", views_me.places, name="me_places"),
    path("missed-call/", views_webhooks.missed_call_webhook, name="missed_call"),
    path("missed-call/exotel/", views_webhooks.exotel_passthru, name="missed_call_exotel"),
    path("<str:code>/", views_public.join, name="join"),
    path("<str:code>/places/", views_public.places, name="places"),
    path("<str:code>/qr.svg", views_public.qr_code, name="qr_svg"),
    path("<str:code>/poster.pdf", views_public.poster, name="poster"),
]

"""Public pages of recruitment drives (no login), under /a/: the short link is /a/<slug>/."""

from django.urls import path

from sangathan.recruitment import views_public

app_name = "apply"

urlpatterns = [
    # Before <slug>/: a campaign cannot take the short link "status".
    path("status/", views_public.status, name="status"),
    path("<slug:slug>/", views_public.apply, name="form"),
    path("<slug:slug>/places/", views_public.places, name="places"),
    path("<slug:slug>/qr.svg", views_public.qr_code, {"kind": "svg"}, name="qr_svg"),
    path("<slug:slug>/qr.png", views_public.qr_code, {"kind": "png"}, name="qr_png"),
    path("<slug:slug>/poster.pdf", views_public.poster, name="poster"),
]

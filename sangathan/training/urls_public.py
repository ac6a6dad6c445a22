"""Public pages of training (no login, mounted at /t/): the QR check-in page, the walk-in request sent
from it, and the certificate link."""

from django.urls import path

from sangathan.training import views_public

app_name = "training_public"

urlpatterns = [
    path("c/<str:token>/", views_public.certificate, name="certificate"),
    path("<str:token>/join/", views_public.walk_in, name="walk_in"),
    path("<str:token>/", views_public.check_in, name="check_in"),
]

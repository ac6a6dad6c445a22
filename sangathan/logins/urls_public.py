from django.urls import path

from sangathan.logins import views_public

app_name = "logins_public"

urlpatterns = [
    path("code/", views_public.code_sign_in, name="code"),
    path("<str:token>/", views_public.accept, name="accept"),
]

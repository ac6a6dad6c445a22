"""The pages at the root of the site: the home page (the set-up page on a fresh installation, else ``org``'s),
signing in and out and two-factor sign-in (``access``), the account page (here)."""

from django.urls import include, path

from sangathan.site.views import account
from sangathan.site.views_setup import home, setup

urlpatterns = [
    path("", home, name="home"),
    path("setup/", setup, name="setup"),
    path("", include("sangathan.access.urls")),
    path("account/", account, name="account"),
]

"""The pages at the root of the site: the home page (``org``), signing in and out and two-factor sign-in
(``access``), the account page (here)."""

from django.urls import include, path

from sangathan.org.views import home
from sangathan.site.views import account

urlpatterns = [
    path("", home, name="home"),
    path("", include("sangathan.access.urls")),
    path("account/", account, name="account"),
]

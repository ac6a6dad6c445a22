from django.contrib.auth import views as auth_views
from django.urls import path

from sangathan.access.views import two_factor

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", two_factor, name="two_factor"),
]

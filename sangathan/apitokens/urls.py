from django.urls import path

from sangathan.apitokens import views

app_name = "apitokens"

urlpatterns = [
    path("", views.tokens, name="list"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]

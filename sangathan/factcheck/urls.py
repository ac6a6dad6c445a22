"""Staff pages of the factcheck app (mounted in sangathan.config.urls)."""

from django.urls import path

from sangathan.factcheck import views

app_name = "factcheck"

urlpatterns = [
    path("tips/", views.tip_list, name="tips"),
]

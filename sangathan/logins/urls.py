from django.urls import path

from sangathan.logins import views

app_name = "logins"

urlpatterns = [
    path("units/<int:unit_id>/", views.unit_logins, name="unit"),
    path("units/<int:unit_id>/invite/", views.committee_invite, name="invite"),
    path("units/<int:unit_id>/new/", views.login_create, name="create"),
    path("<int:pk>/<slug:action>/", views.login_action, name="action"),
    path("posts/", views.post_roles, name="posts"),
]

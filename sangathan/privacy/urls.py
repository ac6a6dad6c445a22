"""The privacy pages under /privacy/: the applicant's data actions (public, ticketed) and the admins'
request pages."""

from django.urls import path

from sangathan.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_list, name="requests"),
    path("new/", views.request_new, name="new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/resolve/", views.request_resolve, name="resolve"),
    path("requests/<int:pk>/data.json", views.request_data, {"fmt": "json"}, name="request_json"),
    path("requests/<int:pk>/data.pdf", views.request_data, {"fmt": "pdf"}, name="request_pdf"),
    path("requests/<int:pk>/data.html", views.request_data, {"fmt": "html"}, name="request_html"),
    path("me/data.json", views.my_data, {"fmt": "json"}, name="my_json"),
    path("me/data.pdf", views.my_data, {"fmt": "pdf"}, name="my_pdf"),
    path("me/data.html", views.my_data, {"fmt": "html"}, name="my_html"),
    path("me/correct/", views.correction, name="correct"),
    path("me/erase/", views.erasure, name="erase"),
]

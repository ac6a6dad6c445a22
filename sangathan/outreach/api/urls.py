"""The message cascade's API, mounted at /api/v1/outreach/ in sangathan.config.urls."""

from django.urls import path

from sangathan.outreach.api import views

app_name = "outreach_api"

urlpatterns = [
    path("messages/", views.MessageListCreateApi.as_view(), name="message-list"),
    path("messages/<int:pk>/", views.MessageDetailApi.as_view(), name="message-detail"),
    *[
        path(f"messages/<int:pk>/{step}/", views.MessageStepApi.as_view(step=step), name=f"message-{step}")
        for step in views.MessageStepApi.STEPS
    ],
    path("messages/<int:pk>/tracking/", views.MessageTrackingApi.as_view(), name="message-tracking"),
    path("drives/", views.DriveListCreateApi.as_view(), name="drive-list"),
    path("drives/<int:pk>/", views.DriveDetailApi.as_view(), name="drive-detail"),
    path("units/<int:unit_id>/approval-rule/", views.ApprovalRuleApi.as_view(), name="approval-rule"),
]

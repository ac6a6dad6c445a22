"""The fact-check desk's API, mounted at /api/v1/factcheck/ in sangathan.config.urls."""

from django.urls import path

from sangathan.factcheck.api import views

app_name = "factcheck_api"

urlpatterns = [
    path("tips/", views.TipListCreateApi.as_view(), name="tip-list"),
    path("tips/<int:pk>/", views.TipDetailApi.as_view(), name="tip-detail"),
    path("tips/<int:pk>/link/", views.TipLinkApi.as_view(), name="tip-link"),
    path("tips/<int:pk>/unlink/", views.TipUnlinkApi.as_view(), name="tip-unlink"),
    path("claims/", views.ClaimListCreateApi.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailApi.as_view(), name="claim-detail"),
    path("claims/<int:pk>/transition/", views.ClaimTransitionApi.as_view(), name="claim-transition"),
    path("claims/<int:pk>/publish/", views.ClaimPublishApi.as_view(), name="claim-publish"),
    path("claims/<int:pk>/assign/", views.ClaimAssignApi.as_view(), name="claim-assign"),
    path("claims/<int:pk>/escalate/", views.ClaimEscalateApi.as_view(), name="claim-escalate"),
    path("claims/<int:pk>/answer/", views.ClaimAnswerApi.as_view(), name="claim-answer"),
    path("match/", views.MatchApi.as_view(), name="match"),
]

"""The recruitment API, mounted at /api/v1/recruitment/ in sangathan.config.urls."""

from django.urls import path

from sangathan.recruitment.api import views

app_name = "recruitment_api"

urlpatterns = [
    path("campaigns/", views.CampaignListCreateApi.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", views.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("applications/", views.ApplicationListApi.as_view(), name="application-list"),
    path("applications/<int:pk>/", views.ApplicationDetailApi.as_view(), name="application-detail"),
    path("applications/<int:pk>/screen/", views.ApplicationScreenApi.as_view(), name="application-screen"),
    path("applications/<int:pk>/decide/", views.ApplicationDecideApi.as_view(), name="application-decide"),
    path("interview-days/", views.InterviewDayListApi.as_view(), name="day-list"),
    path("interview-days/<int:pk>/", views.InterviewDayDetailApi.as_view(), name="day-detail"),
    path("slots/", views.InterviewSlotListApi.as_view(), name="slot-list"),
    path("scores/", views.ScoreSheetListApi.as_view(), name="score-list"),
]

"""The channel API, mounted at /api/v1/channels/ in sangathan.config.urls."""

from django.urls import path

from sangathan.channels import api

app_name = "channels_api"

urlpatterns = [
    path("", api.ChannelListCreateApi.as_view(), name="channel-list"),
    path("<int:pk>/", api.ChannelDetailApi.as_view(), name="channel-detail"),
    path("<int:pk>/verify/", api.ChannelVerifyApi.as_view(), name="channel-verify"),
    path("<int:pk>/deactivate/", api.ChannelDeactivateApi.as_view(), name="channel-deactivate"),
    path("<int:pk>/snapshots/", api.ChannelSnapshotsApi.as_view(), name="channel-snapshots"),
]

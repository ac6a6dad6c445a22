"""Staff pages of the channels app (mounted at /channels/ in sangathan.config.urls)."""

app_name = "channels"

urlpatterns = []

"""Staff pages of the planning app (mounted at /planning/ in sangathan.config.urls)."""

app_name = "planning"

urlpatterns = []

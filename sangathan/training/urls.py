"""Staff pages of the training app (mounted at /training/ in sangathan.config.urls)."""

app_name = "training"

urlpatterns = []

"""Staff pages of the controlroom app (mounted in sangathan.config.urls)."""

app_name = "controlroom"

urlpatterns: list = []

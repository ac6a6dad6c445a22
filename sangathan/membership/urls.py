"""Staff pages of the membership app (mounted in sangathan.config.urls)."""

app_name = "membership"

urlpatterns: list = []

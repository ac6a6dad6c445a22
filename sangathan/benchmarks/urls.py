from django.urls import path

from sangathan.benchmarks import views
from sangathan.config.urls import handler500  # noqa: F401 - the site's outage page (ops/outage.py) here too
from sangathan.config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/baseline/", views.baseline),
    path("bench/ack-baseline/<int:pk>/", views.ack_baseline),
    *site_urlpatterns,
]

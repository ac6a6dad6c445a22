from django.urls import path

from sangathan.benchmarks import views
from sangathan.config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/baseline/", views.baseline), *site_urlpatterns]

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "sangathan.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"

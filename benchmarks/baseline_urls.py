"""The product's URLs, unchanged, plus the baselines under /bench/ (benchmark server only)."""

from django.urls import path

from config.urls import urlpatterns as product

from . import baseline

urlpatterns = [
    path("bench/intake/", baseline.Intake.as_view()),
    path("bench/json/<str:code>/", baseline.Trivial.as_view()),
    path("bench/list/", baseline.RowList.as_view()),
    *product,
]

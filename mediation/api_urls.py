from django.urls import path

from . import api

urlpatterns = [
    path("mediation-cases/", api.CaseListCreate.as_view(), name="api-mediation-cases"),
    path("mediation-cases/stats/", api.CaseStats.as_view(), name="api-mediation-stats"),
    path("mediation-cases/<int:pk>/", api.CaseDetail.as_view(), name="api-mediation-case"),
    *api.CaseAction.urls("mediation-cases/", "api-mediation-case-action"),
]

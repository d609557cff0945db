from django.urls import path

from petitions import api, duplicate_api, grid_api
from petitions.supervision import api as supervision_api

urlpatterns = [
    path("petitions/", api.PetitionListCreate.as_view(), name="api-petitions"),
    path("petitions/track/<str:code>/", api.PetitionTrack.as_view(), name="api-petition-track"),
    path("categories/", api.CategoryList.as_view(), name="api-categories"),
    path("grid-events/patrol/", grid_api.PatrolReport.as_view(), name="api-grid-patrol"),
    path("grid-events/snapshot/", grid_api.SnapshotIntake.as_view(), name="api-grid-snapshot"),
    path("petitions/lost-code/", api.PetitionLostCode.as_view(), name="api-petition-lost-code"),
    path("petitions/nearby/", duplicate_api.PetitionsNearby.as_view(), name="api-petitions-nearby"),
    path("petitions/join/", duplicate_api.PetitionJoin.as_view(), name="api-petition-join"),
    path("petitions/track/<str:code>/feedback/", api.PetitionFeedback.as_view(), name="api-petition-feedback"),
    path("petitions/<int:pk>/", api.PetitionDetail.as_view(), name="api-petition"),
    *api.PetitionAction.urls("petitions/", "api-petition-action"),
    path("dashboard/summary/", supervision_api.DashboardSummary.as_view(), name="api-dashboard-summary"),
    path("scores/communities/", supervision_api.CommunityLeague.as_view(), name="api-community-scores"),
    path("alerts/", supervision_api.AlertList.as_view(), name="api-alerts"),
    path("rates/", supervision_api.Rates.as_view(), name="api-rates"),
    path("alerts/<int:pk>/acknowledge/", supervision_api.AlertAcknowledge.as_view(), name="api-alert-acknowledge"),
]

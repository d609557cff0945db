from django.urls import path
from rest_framework.routers import DefaultRouter

from communities.notifications import api as notification_api
from communities.red_notices import api as red_notice_api
from communities.scoring import api as score_api
from communities.network.api import DepartmentViewSet, RegionViewSet, ServicePointViewSet

router = DefaultRouter()
router.register("service-points", ServicePointViewSet, basename="service-point")
router.register("regions", RegionViewSet, basename="region")
router.register("departments", DepartmentViewSet, basename="department")

urlpatterns = router.urls + [
    path("notifications/", notification_api.NotificationList.as_view(), name="api-notifications"),
    path("notifications/read-all/", notification_api.NotificationReadAll.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", notification_api.NotificationRead.as_view(), name="api-notification-read"),
    path("scores/departments/", score_api.DepartmentScores.as_view(), name="api-department-scores"),
    path("red-notices/", red_notice_api.RedNoticeListCreate.as_view(), name="api-red-notices"),
    path("red-notices/<int:pk>/", red_notice_api.RedNoticeDetail.as_view(), name="api-red-notice"),
    *red_notice_api.RedNoticeAction.urls("red-notices/", "api-red-notice-action"),
]

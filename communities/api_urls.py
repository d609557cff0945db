from rest_framework.routers import DefaultRouter

from .api import DepartmentViewSet, RegionViewSet, ServicePointViewSet

router = DefaultRouter()
router.register("service-points", ServicePointViewSet, basename="service-point")
router.register("regions", RegionViewSet, basename="region")
router.register("departments", DepartmentViewSet, basename="department")

urlpatterns = router.urls

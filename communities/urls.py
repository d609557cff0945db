from django.urls import path

from . import views

urlpatterns: list = [
    path("service-points/near/", views.find_service_point, name="find-service-point"),
]

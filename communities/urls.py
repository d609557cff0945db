from django.urls import path

from . import views

urlpatterns: list = [
    path("preferences/text-size/", views.text_size, name="text-size"),
    path("service-points/near/", views.find_service_point, name="find-service-point"),
]

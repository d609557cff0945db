"""The notification centre's API: the caller's in-app notifications, and marking them read."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Notification
from communities.notifications.services import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    unread_count,
)


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "created_at", "read_at", "unread"]

    def get_unread(self, note: Notification) -> bool:
        return note.read_at is None


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="only unread ones")])
class NotificationList(generics.ListAPIView):
    """The caller's notifications, newest first, with the unread count beside the page."""

    serializer_class = NotificationSerializer

    queryset = Notification.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = notifications_for(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread_count"] = unread_count(request.user)
        return response


class NotificationRead(APIView):
    """Mark one notification read (what opening it on the page does)."""

    serializer_class = NotificationSerializer

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request, pk: int):
        note = get_object_or_404(notifications_for(request.user), pk=pk)
        notification_mark_read(notification=note, actor=request.user)
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)


class NotificationReadAll(APIView):
    serializer_class = None

    @extend_schema(request=None, responses={200: dict})
    def post(self, request):
        return Response({"marked": notifications_mark_all_read(actor=request.user), "unread_count": 0})

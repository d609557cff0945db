"""What the same stack does with the least work, for the ratios of `bench_hotpaths`:
a bare DRF view validating five fields and inserting one row, a trivial JSON view, and a plain
paginated list of one table. Served only by the benchmark's server (benchmarks/settings.py)."""

from rest_framework import generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import BaselineRow

class RowSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineRow
        fields = ["id", "category", "title", "description", "community", "phone", "created_at"]


class IntakeInput(serializers.Serializer):
    category = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000)
    community = serializers.CharField(max_length=32)
    phone = serializers.RegexField(r"^1[3-9]\d{9}$")


class Intake(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        form = IntakeInput(data=request.data)
        form.is_valid(raise_exception=True)
        row = BaselineRow.objects.create(**form.validated_data)
        return Response({"id": row.pk}, status=status.HTTP_201_CREATED)


class Trivial(APIView):
    permission_classes = [AllowAny]

    def get(self, request, code: str = ""):
        return Response({"tracking_code": code, "status": "submitted"})


class Page(PageNumberPagination):
    page_size = 50


class RowList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RowSerializer
    pagination_class = Page
    filter_backends: list = []
    queryset = BaselineRow.objects.order_by("-pk")

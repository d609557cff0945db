"""The mediation API of DESIGN.md §5: open a case, the committee's cases, each step, statistics."""

from __future__ import annotations

import functools

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, serializers, status

from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from communities.core.action_api import ActionAPIView
from communities.core.api_query import (InputSerializer, cursor_field, keyset_page, moment_columns, moment_writer,
                                        page_answer, validated_query)
from communities.core.masking import mask_phone
from communities.models import Region, User
from petitions.selectors import petitions_visible_to

from . import services
from .actions import CASE_ACTIONS
from .models import CaseEvent, CaseStatus, DisputeType, MediationCase, Obligation, Party, Session, case_number
from .serializers import PartyInputSerializer
from communities.core.masking import mask_id

from .selectors import API_COLUMNS, api_rows, case_page, cases_visible_to, mediation_stats, stats_regions
from communities.core.serializers import TraceEventSerializer


class PartySerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["id", "side", "kind", "name", "phone", "id_number", "address"]

    def _reveal(self, party: Party) -> bool:
        return self.context.get("reveal", False)

    def get_phone(self, party: Party) -> str:
        return party.phone if self._reveal(party) or not party.phone else mask_phone(party.phone)

    def get_id_number(self, party: Party) -> str:
        return party.id_number if self._reveal(party) else mask_id(party.id_number)


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "scheduled_at", "mode", "place", "held_at", "attendees", "minutes", "next_step"]


class ObligationSerializer(serializers.ModelSerializer):
    debtor = serializers.CharField(source="debtor.name")
    creditor = serializers.CharField(source="creditor.name", default=None)

    class Meta:
        model = Obligation
        fields = ["id", "debtor", "creditor", "description", "amount", "due_date", "performed_at", "missed_at"]


class CaseEventSerializer(TraceEventSerializer):
    class Meta(TraceEventSerializer.Meta):
        model = CaseEvent


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    committee = serializers.CharField(source="committee.code")
    mediator = serializers.CharField(source="mediator.username")
    petition = serializers.CharField(source="petition.tracking_code", default=None)

    class Meta:
        model = MediationCase
        fields = ["id", "number", "status", "dispute_type", "title", "committee", "mediator", "petition",
                  "amount_in_dispute", "amount_recovered", "opened_at", "agreed_at", "closed_at"]


# Of the columns the list reads (selectors.API_COLUMNS), those that go as they are read (the amounts
# then through the serializer's own decimal fields), and the moments.
_CASE_AS_READ, _CASE_MOMENTS = moment_columns(MediationCase, API_COLUMNS)
_CASE_AMOUNTS = tuple(name for name in _CASE_AS_READ
                      if isinstance(MediationCase._meta.get_field(name), models.DecimalField))


@functools.cache
def _amount_fields() -> dict[str, serializers.Field]:
    """CaseSerializer's own fields for the amounts (DRF's decimal text, as configured)."""
    fields = CaseSerializer().fields
    return {name: fields[name] for name in _CASE_AMOUNTS}


def case_list_answer(rows: list[dict]) -> list[dict]:
    """The list's cases (``selectors.api_rows``) as ``CaseSerializer`` answers them, field for field,
    in its order: the documented answer without building three model instances and running its
    fields a row (tests/mediation/test_case_rows.py compares the two)."""
    when = moment_writer()
    amounts = _amount_fields()
    answer = []
    for row in rows:
        out = {name: row[name] for name in _CASE_AS_READ}
        out.update({name: when(row[name]) for name in _CASE_MOMENTS})
        out.update({name: None if row[name] is None else field.to_representation(row[name])
                    for name, field in amounts.items()})
        out.update(number=case_number(row["committee__name"], row["year"], row["serial"]),
                   committee=row["committee__code"], mediator=row["mediator__username"],
                   petition=row["petition__tracking_code"])
        answer.append({name: out[name] for name in CaseSerializer.Meta.fields})
    return answer


class CaseDetailSerializer(CaseSerializer):
    parties = serializers.SerializerMethodField()
    sessions = SessionSerializer(many=True, read_only=True)
    terms = serializers.CharField(source="agreement.terms", default=None)
    obligations = serializers.SerializerMethodField()
    confirmation = serializers.SerializerMethodField()
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["facts", "failure_reason", "referral", "referral_note", "parties",
                                               "sessions", "terms", "obligations", "confirmation", "events"]

    def get_parties(self, case) -> list[dict]:
        return PartySerializer(case.parties.all(), many=True, context=self.context).data

    def get_obligations(self, case) -> list[dict]:
        agreement = getattr(case, "agreement", None)
        return ObligationSerializer(agreement.obligations.all(), many=True).data if agreement else []

    def get_confirmation(self, case) -> dict | None:
        c = getattr(case, "confirmation", None)
        if c is None:
            return None
        return {"court": c.court, "hearing_mode": c.hearing_mode, "hearing_at": c.hearing_at,
                "decision": c.decision, "ruling_number": c.ruling_number, "decided_at": c.decided_at}


class CaseListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True)
    cursor = cursor_field()


CasePageSerializer = keyset_page("CasePageSerializer", CaseSerializer(many=True))


class CaseOpenSerializer(InputSerializer):
    committee = serializers.SlugRelatedField(slug_field="code",
                                             queryset=Region.objects.filter(level=Region.Level.COMMUNITY))
    dispute_type = serializers.ChoiceField(choices=DisputeType.choices)
    title = serializers.CharField(max_length=100)
    facts = serializers.CharField(max_length=5000)
    amount_in_dispute = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False,
                                                 allow_null=True, default=None)
    mediator = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))
    petition = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="id of the petition the case is opened for")
    parties = PartyInputSerializer(many=True, min_length=1, max_length=20)


def _detail(request, case: MediationCase) -> dict:
    case = cases_visible_to(request.user).prefetch_related("parties", "sessions", "events").get(pk=case.pk)
    return CaseDetailSerializer(case, context={"reveal": services.sees_identity(request.user, case)}).data


@extend_schema_view(
    get=extend_schema(parameters=[CaseListQuery], responses={200: CasePageSerializer}),
    post=extend_schema(request=CaseOpenSerializer, responses={201: CaseDetailSerializer}),
)
class CaseListCreate(generics.ListCreateAPIView):
    """GET: the caller's committees' cases (mediation.selectors.case_page: newest first), in keyset
    pages with a next link. POST: a mediator opens one."""

    serializer_class = CaseSerializer
    pagination_class = None

    def get_serializer_class(self):
        return CaseOpenSerializer if self.request.method == "POST" else CaseSerializer

    def get_queryset(self):
        return cases_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        params = validated_query(request, CaseListQuery)
        page = case_page(request.user, status=params.get("status", ""), after=params.get("cursor", ""),
                         size=api_settings.PAGE_SIZE, read=api_rows)
        return page_answer(request, page, case_list_answer(page.rows))

    def create(self, request, *args, **kwargs):
        form = CaseOpenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        petition = None
        if d.pop("petition"):
            petition = petitions_visible_to(request.user).filter(pk=form.validated_data["petition"]).first()
            if petition is None:
                raise exceptions.ValidationError({"petition": [_("There is no such petition you can see.")]})
        parties = [services.PartyInput(**p) for p in d.pop("parties")]
        case = services.case_open(actor=request.user, petition=petition, parties=parties, **d)
        return Response(_detail(request, case), status=status.HTTP_201_CREATED)


class CaseDetail(APIView):
    serializer_class = CaseDetailSerializer

    @extend_schema(responses={200: CaseDetailSerializer})
    def get(self, request, pk: int):
        return Response(_detail(request, get_object_or_404(cases_visible_to(request.user), pk=pk)))


class CaseAction(ActionAPIView):
    """POST /api/mediation-cases/<id>/<action>/: each step declared in mediation.actions."""

    actions = CASE_ACTIONS
    operation_prefix = "mediation_cases"
    response_serializer = CaseDetailSerializer

    def visible(self, request):
        return cases_visible_to(request.user)

    def respond(self, request, case, result=None):
        return Response(_detail(request, case))


class CaseStatsQuery(serializers.Serializer):
    year = serializers.RegexField(r"^(20[0-9]{2}|2100)$", required=False,
                                  error_messages={"invalid": _("Give a year such as 2026.")},
                                  help_text="2000 to 2100")


class CaseStatsRowSerializer(serializers.Serializer):
    community_code = serializers.CharField()
    community = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    opened = serializers.IntegerField()
    agreed = serializers.IntegerField()
    failed = serializers.IntegerField()
    success_rate = serializers.IntegerField(allow_null=True, help_text="per cent of decided cases")
    confirmed = serializers.IntegerField()
    amount_in_dispute = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_recovered = serializers.DecimalField(max_digits=14, decimal_places=2)


class CaseStatsSerializer(serializers.Serializer):
    results = CaseStatsRowSerializer(many=True)


class CaseStats(APIView):
    """Per community and month, within the regions the caller supervises or mediates in."""

    @extend_schema(parameters=[CaseStatsQuery], responses={200: CaseStatsSerializer})
    def get(self, request):
        paths = stats_regions(request.user)
        if not paths:
            raise exceptions.PermissionDenied(_("Only supervisors and mediators see mediation statistics."))
        year = validated_query(request, CaseStatsQuery).get("year")
        rows = mediation_stats(paths=paths, year=int(year) if year else None)
        for row in rows:
            row["amount_in_dispute"] = str(row["amount_in_dispute"])
            row["amount_recovered"] = str(row["amount_recovered"])
        return Response({"results": rows})

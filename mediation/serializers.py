"""The API's input for opening a case and for each of its steps (mediation.actions pairs them)."""

from rest_framework import serializers

from communities.core.api_query import InputSerializer

from communities.models import Department

from .models import Party, Referral, Session


class PartyInputSerializer(InputSerializer):
    side = serializers.ChoiceField(choices=Party.Side.choices)
    kind = serializers.ChoiceField(choices=Party.Kind.choices, default=Party.Kind.PERSON)
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ObligationInputSerializer(InputSerializer):
    debtor = serializers.IntegerField(help_text="id of the party who performs")
    creditor = serializers.IntegerField(required=False, allow_null=True, default=None,
                                        help_text="id of the party performed for")
    description = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True,
                                      default=None, min_value=0)
    due_date = serializers.DateField()


class CaseNoteInput(InputSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CaseAddPartyInput(InputSerializer):
    party = PartyInputSerializer()


class CaseScheduleSessionInput(InputSerializer):
    scheduled_at = serializers.DateTimeField(help_text="in the future")
    mode = serializers.ChoiceField(choices=Session.Mode.choices, required=False, default=Session.Mode.IN_PERSON)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CaseRecordSessionInput(InputSerializer):
    session = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="id of a scheduled session of this case; none for a session held "
                                                 "now (a walk-in), with place and mode")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    mode = serializers.ChoiceField(choices=Session.Mode.choices, required=False, default=Session.Mode.IN_PERSON)
    minutes = serializers.CharField(max_length=10000)
    attendees = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseAgreeInput(InputSerializer):
    terms = serializers.CharField(max_length=10000)
    obligations = ObligationInputSerializer(many=True, min_length=1, max_length=10)


class CaseFailInput(InputSerializer):
    reason = serializers.CharField(max_length=2000)
    referral = serializers.ChoiceField(choices=Referral.choices, required=False, default="")
    referral_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseRequestRedNoticeInput(InputSerializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(is_active=True),
                                              help_text="department code")
    matter = serializers.CharField(max_length=2000)
    place = serializers.CharField(max_length=200)
    staff_count = serializers.IntegerField(min_value=1, max_value=100, required=False, default=1)
    checkin_due_at = serializers.DateTimeField()
    result_due_at = serializers.DateTimeField()


class CaseRequestConfirmationInput(InputSerializer):
    court = serializers.CharField(max_length=100)
    hearing_mode = serializers.ChoiceField(choices=Session.Mode.choices, required=False, default=Session.Mode.ONLINE)
    hearing_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CaseRecordConfirmationInput(InputSerializer):
    confirmed = serializers.BooleanField(help_text="true: confirmed; false: refused")
    ruling_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class CaseRecordPerformanceInput(CaseNoteInput):
    obligation = serializers.IntegerField(help_text="id of an obligation of this case's agreement")


class CaseMarkEnforcementInput(InputSerializer):
    note = serializers.CharField(max_length=2000, help_text="What was not performed")

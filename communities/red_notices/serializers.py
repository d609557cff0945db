"""The API's input for each red-notice step (communities.red_notices.actions says which is which)."""

from rest_framework import serializers

from communities.core.api_query import InputSerializer


class RedNoticeNoteInput(InputSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RedNoticeReportInput(InputSerializer):
    report = serializers.CharField(max_length=5000, help_text="What was done")
    attendees = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                      help_text="Who attended")
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=20,
                                        help_text="Photos or PDF (multipart only)")


class RedNoticeCloseInput(RedNoticeNoteInput):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="The department's handling, 1 to 5")


class RedNoticeSendBackInput(InputSerializer):
    note = serializers.CharField(max_length=2000, help_text="Why the result is sent back")

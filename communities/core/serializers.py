"""Serializer parts every lifecycle's API shares: who took a step, one step of a trace."""


from rest_framework import serializers

from communities.core.names import actor_display


class ActorLabelField(serializers.CharField):
    """An event's actor as the reader's language shows it: people by name (family name first
    for Chinese names), "system" and "resident" translated."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return actor_display(value)


class TraceEventSerializer(serializers.ModelSerializer):
    """One step of an aggregate's trace (communities.trace.TraceEvent); each trace's serializer
    names its model: ``class Meta(TraceEventSerializer.Meta): model = …``."""

    actor_label = ActorLabelField()

    class Meta:
        fields = ["action", "from_status", "to_status", "actor_label", "note", "created_at"]

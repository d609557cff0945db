"""Errors that service functions raise; the API and the views turn them into 400 and 403."""


class DomainError(Exception):
    """The action is not allowed in the object's current state, or its input is wrong.

    ``field`` names the input at fault, when there is one: the API answers ``{field: [message]}``
    and a form shows the message beside that field."""

    def __init__(self, message: str = "", *, field: str | None = None):
        super().__init__(message)
        self.field = field


class Forbidden(DomainError):
    """The actor may not take this action on this object."""

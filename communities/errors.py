"""Errors that service functions raise; the API and the views turn them into 400 and 403."""


class DomainError(Exception):
    """The action is not allowed in the object's current state, or its input is wrong."""


class Forbidden(DomainError):
    """The actor may not take this action on this object."""

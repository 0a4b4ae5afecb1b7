"""Errors of the demonstration services."""


class ServiceUnavailable(ConnectionError):
    """The external service answered 5xx or could not be reached: worth retrying later."""

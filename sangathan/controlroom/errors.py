from django.core.exceptions import ValidationError


class ControlRoomError(ValidationError):
    """A rule of the control room refused a report or a change; nothing was written. ``code`` says which rule,
    also when the error holds several messages (every bad link of a report)."""

    def __init__(self, message, code: str | None = None, params=None):
        super().__init__(message, code=code, params=params)
        self.code = code

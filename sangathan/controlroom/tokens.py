"""An office-bearer's report link: a signed, timestamped token naming one appointment (``core.signedlinks``,
the same kind as the cascade's recipient links), so reporting needs no login. The appointment must still be
active in a key post at every use (``selectors.appointment_for_report``): relieving someone ends their link.
"""

from django.urls import reverse

from sangathan.controlroom import conf
from sangathan.core.signedlinks import token_for, value_from_token

TOKEN_SALT = "sangathan.controlroom.report"  # noqa: S105 - a signing salt, not a password


def report_token(appointment_id: int) -> str:
    return token_for(appointment_id, salt=TOKEN_SALT)


def appointment_id_from_token(token: str) -> tuple[int | None, str]:
    """(appointment id, "") for a good token; (None, "expired") or (None, "bad") otherwise."""
    return value_from_token(token, salt=TOKEN_SALT, max_age=conf.link_max_age())


def report_path(appointment_id: int) -> str:
    return reverse("controlroom_public:report", args=[report_token(appointment_id)])


def report_link(appointment_id: int) -> str:
    return conf.public_base_url() + report_path(appointment_id)

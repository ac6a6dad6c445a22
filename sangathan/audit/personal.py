"""Personal data (mobile, e-mail, age) on pages, the API and exports: masked unless the user may see it.

Who may see it is decided in one place, ``sangathan.access.personal``. Users without ``view_personal``
at the person's unit see the masked form only. Users with it also see the masked form first and reveal
one person's value with a click (``audit:reveal``); each reveal is an audit entry. The API and exports
give the full value to users with ``view_personal`` (they asked for the data deliberately) and the
masked one to everyone else.
"""

from sangathan.org.masking import age_band, mask_email, mask_mobile

MASKS = {"mobile": mask_mobile, "email": mask_email, "age": age_band}
REVEALABLE = {"org.person": ("mobile", "email"), "recruitment.application": ("mobile", "email", "age")}


def masked(value, field: str) -> str:
    return MASKS[field](value)

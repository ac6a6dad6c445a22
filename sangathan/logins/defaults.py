"""Which posts bring a login, and with which role, before anybody has said otherwise (``PostRole`` rows
override these for the whole organisation or for one state).

The role is held at the unit the person is appointed to, so it covers that unit's subtree: the district
in-charge becomes unit admin of their district, the state media coordinator a viewer of the state. Posts
not listed bring no login (a booth's volunteers are reached by messages, not accounts).
"""

from sangathan.access.models import Role

# (level code, position code) → role. The chain of in-charges runs each level's committee and drive.
BY_LEVEL_AND_POST: dict[tuple[str, str], str] = {
    ("national", "chairman"): Role.NATIONAL_ADMIN,
    ("national", "coordinator"): Role.VIEWER,
    ("state", "chairman"): Role.STATE_ADMIN,
    ("state", "president"): Role.STATE_ADMIN,
    ("state", "vice_president"): Role.VIEWER,
    ("state", "general_secretary"): Role.VIEWER,
    ("state", "secretary"): Role.VIEWER,
    ("state", "coordinator"): Role.VIEWER,
    ("division", "coordinator"): Role.UNIT_ADMIN,
    ("district", "in_charge"): Role.UNIT_ADMIN,
    ("district", "president"): Role.VIEWER,
    ("district", "vice_president"): Role.VIEWER,
    ("district", "general_secretary"): Role.VIEWER,
    ("district", "coordinator"): Role.VIEWER,
    ("assembly", "in_charge"): Role.UNIT_ADMIN,
    ("block", "in_charge"): Role.UNIT_ADMIN,
    ("mandal", "in_charge"): Role.UNIT_ADMIN,
}

# Posts a state adds (or a later template names) at any level, by code.
BY_POST: dict[str, str] = {
    "in_charge": Role.UNIT_ADMIN,
    "trainer": Role.TRAINER,
    "media_coordinator": Role.VIEWER,
    "spokesperson": Role.VIEWER,
    "it_cell_in_charge": Role.VIEWER,
    "control_room": Role.CONTROL_ROOM,
    "fact_checker": Role.FACT_CHECKER,
    "recruiter": Role.RECRUITER,
}


def default_role(*, level_code: str, position_code: str) -> str:
    """The default role of a post, or "" for none."""
    if level_code in ("booth", "cluster", "ward"):  # a million booths: no accounts by default
        return BY_LEVEL_AND_POST.get((level_code, position_code), "")
    return BY_LEVEL_AND_POST.get((level_code, position_code)) or BY_POST.get(position_code, "")

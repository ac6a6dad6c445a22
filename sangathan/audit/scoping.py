"""Which unit an audited object belongs to: its path is stored on the entry (``AuditEntry.unit_path``).

One function per model, following the object's own link to the unit that scopes it elsewhere (the
same unit its ``restrict`` queryset filters on). Objects with no unit (accounts, settings) get "".
"""

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist


def _unit(obj, *chain: str):
    """Follow ``chain`` of foreign keys from ``obj`` to a unit; None if a link is empty or gone."""
    for name in chain:
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def _via(*chain: str) -> Callable:
    def resolve(obj) -> str:
        unit = _unit(obj, *chain)
        return unit.path if unit is not None else ""

    return resolve


def _completion(obj) -> str:
    unit = _unit(obj, "camp", "host_unit") if obj.camp_id else _unit(obj, "person", "home_unit")
    return unit.path if unit is not None else ""


RESOLVERS: dict[str, Callable] = {
    "org.unit": lambda unit: unit.path or "",
    "org.level": _via("state"),  # a state's own level; the default ones belong to no unit
    "org.position": _via("state"),
    "org.person": _via("home_unit"),
    "org.socialaccount": _via("person", "home_unit"),
    "org.appointment": _via("unit"),
    "org.committeeevent": _via("unit"),
    "org.unitimportjob": _via("root"),
    "channels.channelimport": _via("root"),
    "access.roleassignment": _via("unit"),
    "logins.postrole": _via("state"),
    "logins.login": _via("person", "home_unit"),
    "logins.logininvitation": _via("unit"),
    "logins.grantedrole": _via("appointment", "unit"),
    "recruitment.campaign": _via("scope_unit"),
    "recruitment.campaignposition": _via("campaign", "scope_unit"),
    "recruitment.application": _via("home_unit"),
    "recruitment.scoresheet": _via("application", "home_unit"),
    "recruitment.interviewday": _via("campaign", "scope_unit"),
    "recruitment.panel": _via("day", "campaign", "scope_unit"),
    "recruitment.interviewslot": _via("panel", "day", "campaign", "scope_unit"),
    "planning.plan": _via("scope"),
    "planning.milestone": _via("plan", "scope"),
    "training.camp": _via("host_unit"),
    "training.invitation": _via("camp", "host_unit"),
    "training.attendance": _via("camp", "host_unit"),
    "training.walkinrequest": _via("camp", "host_unit"),
    "training.completion": _completion,
    "channels.channel": _via("unit"),
    "outreach.message": _via("unit"),
    "outreach.approvalrule": _via("unit"),
    "controlroom.activityreport": _via("unit"),
    "controlroom.reportedpost": _via("unit"),
    "controlroom.alert": _via("unit"),
    "privacy.datarequest": _via("unit"),
    "factcheck.claim": _via("unit"),  # "" for a claim of no unit (the national desk, an archive)
    "factcheck.claimtext": _via("claim", "unit"),
    "membership.member": _via("unit"),
    "membership.referralcode": _via("unit"),
}


def unit_path_for(instance) -> str:
    """The path of the unit ``instance`` belongs to, or "" (visible only to whole-tree admins)."""
    resolve = RESOLVERS.get(instance._meta.label_lower)
    if resolve is None:
        return ""
    try:
        return resolve(instance) or ""
    except ObjectDoesNotExist:  # a parent deleted in the same cascade
        return ""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "sangathan.membership"
    label = "membership"
    verbose_name = _("Membership drive")

    def ready(self) -> None:
        from sangathan.core.daily import register
        from sangathan.membership import checks  # noqa: F401 - registers the deploy checks
        from sangathan.membership.lifecycle import members_activate, members_lapse
        from sangathan.membership.moves import unit_moved, unit_moving
        from sangathan.membership.plan_target import MEMBERS
        from sangathan.membership.privacy_subject import MEMBER
        from sangathan.membership.scan import scan_daily
        from sangathan.membership.services import paper_members_promote
        from sangathan.org import hooks
        from sangathan.planning import kinds
        from sangathan.privacy import subjects

        hooks.on_unit_moving(unit_moving)
        kinds.register(MEMBERS)  # the target per booth as a milestone of the plan
        subjects.register(MEMBER)  # members' data requests on the privacy pages and desk
        hooks.on_unit_moved(unit_moved)

        register("membership-paper-promote", paper_members_promote, order=30)
        register("membership-activate", members_activate, order=31)
        register("membership-lapse", members_lapse, order=32)
        register("membership-duplicates-scan", scan_daily, order=33)

"""System check ``sangathan.E001``/``E002``: every model tied to a unit declares its scope.

A model is tied to a unit when it has a foreign key (or one-to-one) to ``org.Unit``, directly or through
one relation (``Attendance.camp`` → ``Camp.host_unit``). Such a model must declare ``scope_rule`` and
have a default manager built on ``ScopedQuerySet`` (``sangathan.access.scoping``), so that reads go
through ``restrict(user, action)``; or be listed below with the reason it needs none. Registered in
``AccessConfig.ready``: ``manage.py check``, ``runserver``, ``migrate`` and the test run all refuse to
start while a model is neither.
"""

from django.apps import apps
from django.core import checks

from sangathan.access.scoping import ScopedQuerySet, ScopeRule

# Tied to a unit but with no scope of their own, and why. Keep the reason to one line; a model that
# gains a page or an API list of its own leaves this list and declares its scope.
SCOPE_ALLOW_LIST: dict[str, str] = {
    # The source of every scope: access.scope reads a user's own rows; its admin filters by Unit.restrict.
    "access.RoleAssignment": "the scope itself: read per user by access.scope, listed through Unit.restrict",
    # Rows read only through a parent that was fetched in scope first.
    "org.SocialAccount": "read through its person (person.social_accounts)",
    # The structure (titles of levels and posts, no personal data); a state's own are listed for a unit in scope.
    "org.Level": "structure: a state's own levels read for a unit in scope (org.shaping.levels_for_state)",
    "org.Position": "structure: a state's own posts read for a unit in scope (org.shaping.positions_for_unit)",
    "recruitment.CampaignPosition": "read through its campaign",
    "recruitment.ApplicationEvent": "an application's history, read through the application",
    "recruitment.Submission": "the public form's intake queue, read by the worker only",
    "recruitment.InterviewDay": "read through its campaign",
    "recruitment.InterviewSlot": "read through its campaign or application, or a panel member's own slots",
    "recruitment.ScoreSheet": "read through its application (recruitment.services.score_sheets_visible_to)",
    "training.Invitation": "read through its camp",
    "training.Attendance": "read through its camp",
    "training.WalkInRequest": "read through its camp",
    "training.Completion": "read through its camp or Person.objects.restrict (training.selectors)",
    "planning.Milestone": "read through its plan",
    "outreach.Delivery": "read through its message, or by the signed link of its unit (public page)",
    "outreach.ApprovalRule": "read for units already in scope (top_units, then can)",
    "privacy.Notice": "a campaign's privacy notice: public text, read through the campaign",
    "privacy.ConsentRecord": "read through its application or person",
    "privacy.Erasure": "read through its data request",
    "notifications.OutboxMessage": "scoped through its person: the admin filters by Person.objects.restrict",
    # Derived counters and job bookkeeping: written by services and tasks, read for units already in scope.
    "org.CoverageCounter": "derived roll-up counter",
    "org.PositionFillCounter": "derived roll-up counter",
    "org.AppointeeCounter": "derived roll-up counter (org.representation)",
    "planning.UnitProgress": "derived table (planning.progress.refresh)",
    "planning.ProgressCounter": "derived roll-up counter",
    "planning.PlanSnapshot": "derived daily snapshot for the chart",
    "planning.ProgressRun": "bookkeeping of the daily progress job",
    "outreach.SendChunk": "bookkeeping of a send job",
    "outreach.Rollup": "derived counters of a message, read through the message",
    "outreach.RollupDelta": "derived counters of a message, read through the message",
}


def _links_to(model, target) -> list[str]:
    """Names of ``model``'s forward foreign keys and one-to-ones to ``target``."""
    return [
        field.name
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and (field.many_to_one or field.one_to_one)
        and field.related_model is target
    ]


def unit_links(model, unit_model) -> list[str]:
    """Lookups from ``model`` to ``unit_model``: direct (``unit``) or through one relation (``camp__host_unit``)."""
    links = _links_to(model, unit_model)
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
            continue
        related = field.related_model
        if related is None or related is unit_model or related is model:
            continue
        links += [f"{field.name}__{name}" for name in _links_to(related, unit_model)]
    return links


def scope_errors(models, *, allow_list: dict[str, str], unit_model) -> list[checks.CheckMessage]:
    """The check on ``models`` (a test passes a throwaway model and an empty allow-list)."""
    errors: list[checks.CheckMessage] = []
    for model in models:
        label = model._meta.label
        rule = getattr(model, "scope_rule", None)
        scoped_manager = isinstance(model._default_manager.all(), ScopedQuerySet)
        links = unit_links(model, unit_model)
        if rule is None and not scoped_manager:
            if links and label not in allow_list:
                errors.append(
                    checks.Error(
                        f"{label} is tied to a unit ({', '.join(links)}) but declares no scope.",
                        hint='Declare scope_rule = ScopeRule("<path to the unit>__path") with a ScopedQuerySet '
                        "default manager, or add it to SCOPE_ALLOW_LIST in sangathan/access/checks.py with a reason.",
                        obj=model,
                        id="sangathan.E001",
                    )
                )
        elif not isinstance(rule, ScopeRule) or not scoped_manager:
            errors.append(
                checks.Error(
                    f"{label} declares half a scope: scope_rule must be a ScopeRule and the default manager's "
                    "queryset a ScopedQuerySet.",
                    obj=model,
                    id="sangathan.E002",
                )
            )
    return errors


def check_scope_declarations(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    configs = app_configs or apps.get_app_configs()
    models = [model for config in configs if config.name.startswith("sangathan.") for model in config.get_models()]
    errors = scope_errors(models, allow_list=SCOPE_ALLOW_LIST, unit_model=apps.get_model("org", "Unit"))
    known = {model._meta.label for model in models}
    for label in SCOPE_ALLOW_LIST.keys() & known:
        model = apps.get_model(label)
        if getattr(model, "scope_rule", None) is not None:
            errors.append(
                checks.Error(
                    f"{label} declares a scope and is on SCOPE_ALLOW_LIST: remove it from the list.",
                    obj=model,
                    id="sangathan.E003",
                )
            )
    return errors

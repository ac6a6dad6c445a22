"""The models whose every create, change and delete is recorded, registered with django-auditlog.

Called once from ``AuditConfig.ready``. Personal fields (mobile, e-mail, age) are stored masked
(``sangathan.org.masking.mask_value``): the trail says *that* a number changed and tells two numbers
apart, but holds no contact details, so erasing a person (DPDP) leaves nothing to scrub from it.
Bulk writes (``bulk_create``, ``QuerySet.update``) send no signals: the services that make them
record one entry per action with ``sangathan.audit.services.audit_bulk_action`` where it concerns
people, applications or appointments (docs/adr/0006-audit-trail.md).
"""

from auditlog.registry import auditlog
from django.apps import apps

MASK = "sangathan.org.masking.mask_value"

# label: options for ``auditlog.register``
MODELS: dict[str, dict] = {
    # The organisation
    "org.Level": {},
    "org.Position": {},
    "org.Unit": {"exclude_fields": ["path", "depth", "numchild", "key_post_filled"]},  # derived from the parent
    "org.Person": {"mask_fields": ["mobile", "email"]},
    "org.SocialAccount": {},
    "org.Appointment": {},
    "org.CommitteeEvent": {},
    # Imports write their rows in bulk; the import job itself (who, which file, outcome) is recorded.
    "org.UnitImportJob": {"exclude_fields": ["content", "errors"]},
    # Roles and accounts
    "access.RoleAssignment": {},
    "auth.User": {"exclude_fields": ["password", "last_login"], "mask_fields": ["email"]},
    # Logins of office-bearers (logins.services): never the secret of an invitation link.
    "logins.PostRole": {},
    "logins.Login": {},
    "logins.LoginInvitation": {"exclude_fields": ["secret_digest"]},
    "logins.GrantedRole": {},
    "core.Organisation": {},
    # Recruitment
    "recruitment.Rubric": {},
    "recruitment.Criterion": {},
    "recruitment.Campaign": {},
    "recruitment.CampaignPosition": {},
    "recruitment.Application": {
        "mask_fields": ["mobile", "email", "age"],
        "exclude_fields": ["followers_total"],  # derived from the social accounts
    },
    "recruitment.ScoreSheet": {},
    "recruitment.InterviewDay": {},
    "recruitment.Panel": {"m2m_fields": {"members"}},
    "recruitment.InterviewSlot": {},
    # Plans
    "planning.Plan": {},
    "planning.Milestone": {},
    # Training
    "training.Programme": {},
    "training.Module": {},
    "training.Camp": {"m2m_fields": {"trainers", "modules"}},
    # The check-in code is derived from its secret; "reminded at" is the reminder run's bookkeeping (each
    # reminder is a row of the outbox).
    "training.Invitation": {"exclude_fields": ["check_in_secret", "reminded_at"]},
    "training.Attendance": {},
    "training.WalkInRequest": {"mask_fields": ["mobile"]},
    "training.Completion": {},
    # Channels and messages
    "channels.Channel": {"mask_fields": ["owner_mobile", "other_admin_mobiles"], "m2m_fields": {"admins"}},
    "channels.ChannelImport": {"exclude_fields": ["content"]},
    # An official account's API access: who set it and when, its status; never the token, nor the daily run's
    # bookkeeping (its snapshots are recorded in bulk, one entry per run, by channels.services).
    "channels.ChannelCredential": {
        "exclude_fields": ["token_encrypted", "last_error", "retry_after", "fetched_through", "last_success_at"]
    },
    "outreach.Message": {},
    "outreach.ApprovalRule": {},
    "outreach.TrendDrive": {},
    "outreach.TrendDriveTarget": {},
    # The control room: office-bearers' daily reports and the posts they report ("mentions" is a counter the
    # report service moves; each report that names the post is itself an entry).
    "controlroom.ActivityReport": {},
    "controlroom.ReportedPost": {"exclude_fields": ["mentions"]},
    # Alerts: acknowledged with a note, assigned, escalated; the rules an organisation changes.
    "controlroom.Alert": {},
    "controlroom.AlertRule": {},
    # Personal-data requests (DPDP): who asked, who resolved; the notice texts people agreed to.
    "privacy.Notice": {},
    "privacy.DataRequest": {"mask_fields": ["details"]},
    # Membership: members (mobile, EPIC and age masked; the form's token is bookkeeping) and referral codes
    # (their counts are derived, moved with the member's own change).
    "membership.Notice": {},
    "membership.ReferralCode": {"exclude_fields": ["verified_count", "pending_count"]},
    "membership.Member": {
        "mask_fields": ["mobile", "epic", "age"],
        "mask_callable": "sangathan.membership.masking.mask_member_value",
        "exclude_fields": ["join_token", "join_challenge_id", "name_key"],
    },
    # Likely duplicates and the reviewer's decision (merge keeping one, or keep both).
    "membership.DuplicateCase": {},
    # Codes sent to prove a mobile number is one's own: sent, tried, confirmed (never the code).
    "verification.MobileChallenge": {"exclude_fields": ["salt", "code_digest"], "mask_fields": ["mobile"]},
    # Two-factor devices set up, confirmed and removed (access.services): never the key (the TOTP secret),
    # nor the counters every sign-in or wrong code moves, so signing in writes no entry.
    "otp_totp.TOTPDevice": {
        "exclude_fields": [
            "key",
            "drift",
            "last_t",
            "throttling_failure_timestamp",
            "throttling_failure_count",
            "last_used_at",
        ]
    },
    # The fact-check desk's claims and their texts (the matching key is derived from the text); a claims file
    # loaded in bulk is recorded as its ClaimLoad with one entry per kind of row (factcheck.services).
    "factcheck.Claim": {},
    "factcheck.ClaimText": {"exclude_fields": ["key"]},
    "factcheck.ClaimLoad": {},
    # Tips: the tipster's mobile and Telegram chat masked; a cluster's counters move with each tip.
    "factcheck.Tip": {"mask_fields": ["reply_mobile", "reply_chat"], "exclude_fields": ["key"]},
    "factcheck.TipMedia": {},
    "factcheck.TipCluster": {"exclude_fields": ["key", "tip_count", "district_count", "last_tip_at"]},
    # The desk's evidence: links (evidence, where a rumour appeared) and files.
    "factcheck.ClaimLink": {},
    "factcheck.ClaimFile": {},
    # Made and revoked (the digest is nobody's business; "last used" is written without signals anyway).
    "apitokens.ApiToken": {"exclude_fields": ["digest", "last_used_at"]},
}


TIMESTAMPS = ("created_at", "updated_at")


def register_models() -> None:
    for label, options in MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # an optional app that is not installed
            continue
        if auditlog.contains(model):
            continue
        options = dict(options)
        if "mask_fields" in options:
            options.setdefault("mask_callable", MASK)  # a model may bring its own (membership's EPIC)
        # Reverse relations (an appointment's application, a unit's plan) are not the object's own data,
        # and reading them costs a query per write.
        reverse = [f.name for f in model._meta.get_fields() if f.is_relation and f.auto_created and not f.concrete]
        # The entry's own timestamp says when; the row's timestamps would only repeat it.
        options["exclude_fields"] = [*options.get("exclude_fields", []), *reverse, *TIMESTAMPS]
        auditlog.register(model, **options)

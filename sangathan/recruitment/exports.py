"""The columns of the review queue's CSV and XLSX exports (the filtered list the user sees, never more);
``sangathan.core.exports`` writes them, formula-safe."""

from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.org.masking import age_band, mask_email, mask_mobile


def _accounts(application) -> str:
    parts = []
    for account in application.social_accounts or []:
        if not isinstance(account, dict):
            continue
        text = f"{account.get('platform', '')}: {account.get('handle', '')}"
        if account.get("followers") not in (None, ""):
            text += f" ({account['followers']})"
        parts.append(text)
    return "; ".join(parts)


def columns(*, hidden_scores: set[int], with_contact: bool, may_see_personal=None):
    """(header, value of one application) for each exported column.

    ``may_see_personal(application)``: False masks the mobile, e-mail and age (users without
    ``view_personal`` where the applicant lives); None shows them to all.
    """

    def personal(field, mask):
        def value(a):
            raw = getattr(a, field)
            return raw if may_see_personal is None or may_see_personal(a) else mask(raw)

        return value

    def score(a):
        return None if a.pk in hidden_scores or a.score is None else float(a.score)

    result = [
        (_("Reference number"), lambda a: a.reference),
        (_("Status"), lambda a: a.get_status_display()),
        (_("Name (Hindi)"), lambda a: a.name_hi),
        (_("Name (English)"), lambda a: a.name_en),
    ]
    if with_contact:
        result += [(_("Mobile number"), personal("mobile", mask_mobile)), (_("Email"), personal("email", mask_email))]
    result += [
        (_("Age"), personal("age", age_band)),
        (_("Gender"), lambda a: a.get_gender_display()),
        (_("Occupation"), lambda a: a.occupation),
        (_("Education"), lambda a: a.education),
        (_("Languages"), lambda a: ", ".join(str(x) for x in a.languages or [])),
        (_("Post"), lambda a: a.applied_for.position.title),
        (_("Where the applicant lives"), lambda a: a.home_unit.display_name),
        (_("Social media accounts"), _accounts),
        (_("Followers"), lambda a: a.followers_total),
        (_("Score"), score),
        (_("Panel disagrees"), lambda a: _("yes") if a.score_disagreement and a.pk not in hidden_scores else ""),
        (_("Applied at"), lambda a: timezone.localtime(a.submitted_at).strftime("%d/%m/%Y %H:%M")),
        (_("Why they want to join"), lambda a: a.statement),
        (_("A post they would write"), lambda a: a.writing_sample),
        (_("Reason"), lambda a: a.decision_reason),
    ]
    return result

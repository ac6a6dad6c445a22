"""The default plan from the seeds, shipped as the template every unit's plan is copied from.

State committee appointed by 28 Feb and trained by 15 Mar; district 31 Mar / 15 Apr; assembly
30 Apr / 15 May; booth 31 May / 15 Jun; every booth's WhatsApp group and broadcast list by 30 Jun.
Dates are (month, day); the year is the plan's. (level code, kind, month, day, platforms)
"""

import datetime

DEFAULT_TITLE_HI = "संगठन सृजन अभियान: नियुक्ति और प्रशिक्षण की समय-सीमा"
DEFAULT_TITLE_EN = "Organisation-building drive: appointment and training deadlines"
TEMPLATE_YEAR = 2026

BOOTH_CHANNELS = ["whatsapp_group", "whatsapp_broadcast"]

DEFAULT_MILESTONES = [
    ("state", "appointed", 2, 28, []),
    ("state", "trained", 3, 15, []),
    ("district", "appointed", 3, 31, []),
    ("district", "trained", 4, 15, []),
    ("assembly", "appointed", 4, 30, []),
    ("assembly", "trained", 5, 15, []),
    ("booth", "appointed", 5, 31, []),
    ("booth", "trained", 6, 15, []),
    ("booth", "channels", 6, 30, BOOTH_CHANNELS),
]


def load_default_plan(plan_model, milestone_model, level_model):
    """Create the template plan with its milestones if there is none (idempotent); return it."""
    template = plan_model.objects.filter(is_template=True).order_by("id").first()
    if template is None:
        template = plan_model.objects.create(
            is_template=True, title_hi=DEFAULT_TITLE_HI, title_en=DEFAULT_TITLE_EN, year=TEMPLATE_YEAR
        )
    levels = {level.code: level for level in level_model.objects.all()}
    for code, kind, month, day, platforms in DEFAULT_MILESTONES:
        if code not in levels:
            continue
        milestone_model.objects.get_or_create(
            plan=template,
            level=levels[code],
            kind=kind,
            defaults={"due_date": datetime.date(template.year, month, day), "platforms": list(platforms)},
        )
    return template

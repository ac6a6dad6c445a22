from django import forms
from django.utils.translation import gettext_lazy as _

from sangathan.planning import kinds


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the deadlines"), min_value=2000, max_value=2100)


class MilestoneDatesForm(forms.Form):
    """One date field per milestone of a plan, named ``m<id>``."""

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = list(milestones)
        for milestone in self.milestones:
            self.fields[f"m{milestone.pk}"] = forms.DateField(
                label=f"{milestone.level.name} · {milestone.get_kind_display()}",
                initial=milestone.due_date,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": _("Enter a date like 2026-05-31."), "required": _("Give a date.")},
            )

    def dates(self) -> dict[int, object]:
        return {m.pk: self.cleaned_data[f"m{m.pk}"] for m in self.milestones}


class MilestoneAddForm(forms.Form):
    """A new deadline for a plan (``services.milestone_add``)."""

    level = forms.ModelChoiceField(queryset=None, label=_("Level"))
    kind = forms.ChoiceField(choices=kinds.addable, label=_("What"))  # a callable: registered kinds too
    due_date = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2026-05-31."), "required": _("Give a date.")},
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels
        self.fields["level"].label_from_instance = lambda level: level.name

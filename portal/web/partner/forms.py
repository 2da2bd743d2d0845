"""Forms of the partner lists: filters, attendance, scores and the team invitation.

Filter forms only read the query string; the choices a partner may pick (batches) come from the
viewer's scoped querysets, so another organisation's batch is not a valid choice.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Category, Participant
from placements.models import Phase
from portal.regions.models import Province
from training.models import AssessmentResult, Attendance, Batch


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)


class BatchFilterForm(SearchForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Batch.Status.choices]
    )


class AgreementFilterForm(SearchForm):
    q = forms.CharField(label=_("Search by number or title"), required=False, max_length=100)


class ParticipantFilterForm(SearchForm):
    batch = forms.ModelChoiceField(
        label=_("Batch"), required=False, queryset=Batch.objects.none(), empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Participant.Status.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    phase = forms.ChoiceField(
        label=_("Placement phase"), required=False, choices=[("", _("All")), *Phase.choices]
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        required=False,
        queryset=Province.objects.order_by("name"),
        empty_label=_("All"),
    )

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches.order_by("name").only("pk", "name")

    def export_filters(self):
        """The valid filters and the name search, as the export layer names them."""
        data = self.cleaned_data
        return {
            "batch": data["batch"].pk if data.get("batch") else "",
            "status": data.get("status", ""),
            "category": data.get("category", ""),
            "phase": data.get("phase", ""),
            "province": data["province"].pk if data.get("province") else "",
            "q": data.get("q", ""),
        }


class AttendanceForm(forms.Form):
    """Every enrolment of a session's batch: present, late, absent or excused."""

    def __init__(self, *args, rows, **kwargs):
        """`rows`: (enrolment id, label, current status or None) for each enrolment."""
        super().__init__(*args, **kwargs)
        for enrolment_id, label, status in rows:
            self.fields[f"e{enrolment_id}"] = forms.ChoiceField(
                label=label,
                choices=Attendance.Status.choices,
                initial=status or Attendance.Status.PRESENT,
                widget=forms.RadioSelect(attrs={"class": "choice-row"}),
            )

    def statuses(self):
        """{enrolment id: status} for the service."""
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ScoreForm(forms.Form):
    enrolment = forms.TypedChoiceField(label=_("Participant"), coerce=int)
    kind = forms.ChoiceField(label=_("Type"), choices=AssessmentResult.Kind.choices)
    score = forms.DecimalField(
        label=_("Score (0-100)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    assessed_on = forms.DateField(
        label=_("Date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, enrolments, **kwargs):
        """`enrolments`: (enrolment id, label) pairs of the batch."""
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].choices = [("", "—"), *enrolments]


class InviteForm(forms.Form):
    username = forms.SlugField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("Used to send the link by SMS when there is no email address."),
    )

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(
                _("Give an email address or a phone number to send the link to.")
            )
        return data

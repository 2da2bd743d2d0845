"""Forms of the analyst export pages: what to export (lists, format, filters, protection, an
optional data exchange) and the filters of the data-exchange log.

The forms only read what the user asked for; every rule (which lists, which filters, masking,
refused exchanges) is checked by `services.export_start`, whose errors the page shows.
"""

from django import forms
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from partners.models import Agreement, Organisation

from .datasets import datasets_for
from .models import Format
from .services import default_pseudonymise, may_exchange

# The filters in the order the form shows them.
FILTER_ORDER = ("programme", "category", "province", "status", "track", "phase", "country")

DESCRIPTIONS = {
    "participants": _("One row per person: identity, contacts, region, categories and status."),
    "participations": _("Who takes part in which programme, with the status and decision date."),
    "enrolments": _("Enrolments in training batches with attendance, hours and latest score."),
    "attendance": _("One row per person and training session."),
    "assessments": _("Test and exam results."),
    "certificates": _("Certificates issued at the end of training."),
    "placements": _("Placements abroad: country, scheme, employer and current phase."),
    "phase_history": _("Every step of every placement, with dates and who recorded it."),
    "job_orders": _("Job orders from employers and agencies (no personal data)."),
    "agreements": _("MoUs and cooperation agreements with their status (no personal data)."),
    "commitments": _("What each agreement commits to, with targets and results so far."),
    "cases": _("Welfare cases of returning and troubled workers."),
    "consents": _("Consents given and withdrawn, per purpose."),
    "documents": _("Which documents each person has, with numbers and dates (not the files)."),
}


def _choices_key(function):
    """Filters of different lists often share one choices function (or the same lambda over the
    same TextChoices): call each distinct one once."""
    cells = tuple(cell.cell_contents for cell in getattr(function, "__closure__", None) or ())
    return (getattr(function, "__code__", function), cells)


def filter_fields(datasets):
    """{code: (label, [(dataset label, choices)], [dataset labels])} for the filters of
    `datasets`, in FILTER_ORDER."""
    cache = {}
    found = {}
    for dataset in datasets:
        for item in dataset.filters:
            key = _choices_key(item.choices)
            if key not in cache:
                cache[key] = [(str(value), label) for value, label in item.choices()]
            entry = found.setdefault(item.code, (item.label, [], []))
            entry[1].append((dataset.label, cache[key]))
            entry[2].append(dataset.label)
    order = {code: index for index, code in enumerate(FILTER_ORDER)}
    return dict(sorted(found.items(), key=lambda pair: order.get(pair[0], len(order))))


def _select_choices(groups):
    """One flat list when every list offers the same values; else one group per list."""
    first = groups[0][1]
    if all(choices == first for _label, choices in groups):
        return [("", _("All")), *first]
    return [("", _("All")), *[(str(label), choices) for label, choices in groups]]


class ExportForm(forms.Form):
    datasets = forms.MultipleChoiceField(
        label=_("Lists"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one list for a CSV file, or several for one Excel file."),
    )
    format = forms.ChoiceField(
        label=_("File format"),
        widget=forms.RadioSelect,
        choices=[
            (Format.XLSX, _("Excel (.xlsx): one sheet per list")),
            (Format.CSV, _("CSV: one list, opens in any spreadsheet program")),
        ],
        initial=Format.XLSX,
    )
    pseudonymise = forms.BooleanField(
        label=_("Pseudonymise"),
        required=False,
        help_text=_(
            "Names, NIKs, phone numbers and addresses are left out and birth dates become "
            "years. Each person gets a code that is the same on every sheet of this export and "
            "different in the next export."
        ),
    )
    recipient = forms.ModelChoiceField(
        label=_("Recipient organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("None: the export is for our own work"),
    )
    agreement = forms.ModelChoiceField(
        label=_("Agreement that allows the exchange"),
        queryset=Agreement.objects.none(),
        required=False,
        help_text=_("It must be in force, name the recipient as a party and cover data exchange."),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        required=False,
        help_text=_("What the recipient will use the data for, e.g. “DTSEN decile check”."),
    )

    exchange_fields = ("recipient", "agreement", "purpose")

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        available = datasets_for(user)
        self.fields["datasets"].choices = [
            (
                dataset.code,
                format_html(
                    '{}<br><span class="hint">{}</span>',
                    dataset.label,
                    DESCRIPTIONS.get(dataset.code, ""),
                ),
            )
            for dataset in available
        ]
        self.fields["pseudonymise"].initial = default_pseudonymise(user)
        self.filter_names = []
        for code, (label, groups, lists) in filter_fields(available).items():
            name = f"filter_{code}"
            self.fields[name] = forms.ChoiceField(
                label=capfirst(label),
                choices=_select_choices(groups),
                required=False,
                help_text=_("Applies to: %(lists)s. Lists without this filter are not filtered.")
                % {"lists": ", ".join(str(item) for item in lists)},
            )
            self.filter_names.append((code, name))
        self.exchange_allowed = may_exchange(user)
        if self.exchange_allowed:
            self.fields["agreement"].queryset = Agreement.objects.visible_to(user).order_by(
                "number"
            )
        else:
            for name in self.exchange_fields:
                del self.fields[name]

    def filter_bound_fields(self):
        return [self[name] for _code, name in self.filter_names]

    def exchange_bound_fields(self):
        return [self[name] for name in self.exchange_fields if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        asked = cleaned.get("agreement") or (cleaned.get("purpose") or "").strip()
        if self.exchange_allowed and asked and not cleaned.get("recipient"):
            self.add_error("recipient", _("Choose the organisation that receives the data."))
        return cleaned

    def export_options(self):
        """The keyword arguments of `services.export_start` (besides the user)."""
        data = self.cleaned_data
        options = {
            "datasets": data["datasets"],
            "format": data["format"],
            "filters": {code: data.get(name) for code, name in self.filter_names},
            "pseudonymise": data["pseudonymise"],
        }
        if self.exchange_allowed and data.get("recipient"):
            options |= {
                "recipient": data["recipient"],
                "agreement": data.get("agreement"),
                "purpose": data.get("purpose") or "",
            }
        return options


class ExchangeFilterForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=_("Recipient"),
        queryset=Organisation.objects.filter(data_received__isnull=False).distinct(),
        required=False,
        empty_label=_("All"),
    )
    agreement = forms.ModelChoiceField(
        label=_("Agreement"),
        queryset=Agreement.objects.filter(exchanges__isnull=False).distinct().order_by("number"),
        required=False,
        empty_label=_("All"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def apply(self, queryset):
        """`queryset` narrowed by the valid filters (dates in the portal's time zone)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["recipient"]:
            queryset = queryset.filter(recipient=data["recipient"])
        if data["agreement"]:
            queryset = queryset.filter(agreement=data["agreement"])
        if data["date_from"]:
            queryset = queryset.filter(created_at__date__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(created_at__date__lte=data["date_to"])
        return queryset

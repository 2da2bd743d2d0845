from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the referral")), ("reject", _("Reject the referral"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject: say why."),
    )


class ReferralCompleteForm(forms.Form):
    delivered_on = forms.DateField(
        label=_("Services given on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    services_given = forms.CharField(
        label=_("Services given"), widget=forms.Textarea(attrs={"rows": 4})
    )

"""Forms of the account pages and of the user admin."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Role, User
from .senders import Channel


class LoginForm(AuthenticationForm):
    """One field for the username, NIK or phone number, and the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username, NIK or phone number, or the password, is not right. "
            "Passwords are case-sensitive."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username, NIK or phone number")
        self.fields["username"].widget.attrs.update(autocapitalize="none", spellcheck="false")
        self.fields["password"].label = _("Password")


class PasswordResetRequestForm(forms.Form):
    username = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class NewPasswordForm(forms.Form):
    """A new password typed twice; the services check it against the password validators."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned


class UserAddForm(forms.ModelForm):
    """The admin's form for a new user: who they are and their one role, but no password."""

    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone"]


class LinkSendForm(forms.Form):
    """The admin's request to send a link just created: the token comes back from the page."""

    token = forms.CharField(max_length=100, widget=forms.HiddenInput)
    channel = forms.ChoiceField(choices=Channel.choices)

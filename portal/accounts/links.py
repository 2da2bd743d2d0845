"""The texts that carry a one-time link, Indonesian first and then English.

They are bilingual on purpose rather than translated: the reader's language is not known when a
link is sent, and many participants share a phone or an inbox with family.
"""

from django.conf import settings

from .models import OneTimeLink
from .senders import Channel

PORTAL_NAME_ID = "Portal Program Pekerja Migran"
PORTAL_NAME_EN = "Migrant Worker Programme Portal"

SUBJECTS = {
    OneTimeLink.Purpose.INVITE: (
        f"Undangan ke {PORTAL_NAME_ID} / Invitation to the {PORTAL_NAME_EN}"
    ),
    OneTimeLink.Purpose.RESET: (
        f"Atur ulang kata sandi – {PORTAL_NAME_ID} / Reset your password – {PORTAL_NAME_EN}"
    ),
}

EMAIL_BODIES = {
    OneTimeLink.Purpose.INVITE: f"""Halo {{name}},

Akun Anda di {PORTAL_NAME_ID} sudah dibuat. Nama pengguna Anda: {{username}}
Buka tautan ini untuk membuat kata sandi. Tautan berlaku {{days}} hari dan hanya dapat dipakai \
sekali:

{{url}}

Jika Anda tidak mengharapkan pesan ini, abaikan saja.

---

Hello {{name}},

Your account on the {PORTAL_NAME_EN} has been created. Your username: {{username}}
Open the link above to set your password. The link is valid for {{days}} days and can be used \
once.

If you did not expect this message, you can ignore it.
""",
    OneTimeLink.Purpose.RESET: f"""Halo {{name}},

Ada permintaan untuk mengatur ulang kata sandi akun {{username}} di {PORTAL_NAME_ID}.
Buka tautan ini untuk membuat kata sandi baru. Tautan berlaku {{days}} hari dan hanya dapat \
dipakai sekali:

{{url}}

Jika Anda tidak memintanya, abaikan pesan ini; kata sandi Anda tidak berubah.

---

Hello {{name}},

Someone asked to reset the password of the account {{username}} on the {PORTAL_NAME_EN}.
Open the link above to choose a new password. The link is valid for {{days}} days and can be \
used once.

If you did not ask for this, ignore this message; your password has not changed.
""",
}

# Short: one SMS carries 160 characters, and the link alone takes about 80.
SMS_BODIES = {
    OneTimeLink.Purpose.INVITE: (
        "Portal Pekerja Migran: buat kata sandi akun {username} (berlaku {days} hari). "
        "Set the password of your account {username} (valid {days} days): {url}"
    ),
    OneTimeLink.Purpose.RESET: (
        "Portal Pekerja Migran: atur ulang kata sandi akun {username} (berlaku {days} hari). "
        "Reset the password of your account {username} (valid {days} days): {url}"
    ),
}


def link_message(*, purpose, channel, user, link_url):
    """The (subject, body) that carries `link_url` to `user`; SMS has an empty subject."""
    purpose = OneTimeLink.Purpose(purpose)
    values = {
        "name": user.get_full_name() or user.username,
        "username": user.username,
        "days": settings.ONE_TIME_LINK_DAYS,
        "url": link_url,
    }
    if Channel(channel) == Channel.SMS:
        return "", SMS_BODIES[purpose].format(**values)
    return SUBJECTS[purpose], EMAIL_BODIES[purpose].format(**values)

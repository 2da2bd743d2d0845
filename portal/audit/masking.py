"""How restricted values appear in the audit log: never in clear."""

RESTRICTED_MASK = "••• (restricted)"


def mask_value(value):
    """Mask callable for django-auditlog: a restricted value is replaced entirely."""
    return RESTRICTED_MASK if value not in (None, "", "None") else value


def mask_nik(nik):
    """5171********9901: region and serial stay readable, birth date and district do not."""
    if not nik or len(nik) != 16:
        return nik
    return f"{nik[:4]}{'*' * 8}{nik[12:]}"

"""The permission matrix: every URL name of the project x persona x method -> expected answer.

Answers: "ok" (2xx, or a redirect that stays in the portal's pages), "login" (redirect to the
login page), "admin_login" (the admin's redirect to its login), "admin_notfound" (the admin's
redirect to its index for an object it will not show), or a status code "400", "401", "403",
"404", "405", "410", "429". A set means any of them is right (e.g. an anonymous POST to a
GET-only page may be refused with 405 or sent to the login page: both deny).

URL names come from the URL configuration (`url_names()`), so a new URL with no rule here
fails `test_matrix.py`. Rules: `PAGES` per URL name, the API by endpoint, the admin by view kind
and model (the role table `portal.accounts.roles.ROLE_PERMISSIONS`, with `ADMIN_ACCESS` for the
models whose admin grants less or that the role table does not name).

Run: `pytest tests/security` (test_matrix.py, test_matrix_teeth.py, test_canary.py).
"""

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = (
    "anonymous",
    "participant_a",
    "participant_b",
    "staff_a",
    "staff_b",
    "analyst",
    "officer",
    "admin",
)
# The side whose objects are a persona's own; anonymous, analysts and admins try side A as
# "own" and side B as "other".
SIDE = {"participant_b": "b", "staff_b": "b"}
OK = "ok"
LOGIN = "login"
DENY_ANON = frozenset({"login", "405"})


def by(default=None, **given):
    """Expected answers per persona: `participant=`, `staff=`, `ministry=` set both of a pair."""
    groups = {
        "participant": ("participant_a", "participant_b"),
        "staff": ("staff_a", "staff_b"),
        "ministry": ("officer", "admin"),
        "logged_in": PERSONAS[1:],
    }
    answer = dict.fromkeys(PERSONAS, default)
    for key in ("logged_in", "participant", "staff", "ministry"):
        if key in given:
            answer.update(dict.fromkeys(groups[key], given.pop(key)))
    answer.update(given)
    missing = [p for p, v in answer.items() if v is None]
    assert not missing, f"no answer for {missing}"
    return answer


@dataclass
class Rule:
    """GET and POST (and optional other methods) answers for the persona's OWN object (or for
    the URL if it takes none). `obj` names the object kind in the URL; for the other side's
    object, a persona not in `sees_all` must get a not-found where it would see its own."""

    get: dict
    post: dict
    obj: str | None = None
    sees_all: frozenset = frozenset()
    post_data: dict = field(default_factory=dict)
    other: dict = field(default_factory=dict)  # extra methods (HEAD, PUT, PATCH, DELETE)


ANYONE = by(OK)
LOGGED_IN = by(OK, anonymous=LOGIN)
NOT_ALLOWED = by("405")
NOT_ALLOWED_LOGGED_IN = by("405", anonymous=DENY_ANON)
EXPORTERS = by("403", anonymous=LOGIN, analyst=OK, ministry=OK)
IMPORTERS = by("403", anonymous=LOGIN, analyst=OK, admin=OK)


def read_post(rule_get):
    """POST to a read-only page: 405, or the page as for GET (it changes nothing); never more
    than GET gives."""
    answer = {}
    for persona, got in rule_get.items():
        allowed = set(got) if isinstance(got, frozenset) else {got}
        answer[persona] = frozenset(
            allowed | {"405"} | ({LOGIN} if persona == "anonymous" else set())
        )
    return answer


def get_only(rule_get, **kwargs):
    return Rule(get=rule_get, post=read_post(rule_get), **kwargs)


ADMIN_SEES = frozenset({"admin"})
MINISTRY_LENS = frozenset({"officer", "admin"})
# Ministry staff look through a partner's eyes (or are sent to choose one); an officer limited
# to provinces may not: a partner's view spans every province.
LEAD_ONLY = by("403", anonymous=LOGIN, admin=OK)
PARTNER_PAGE = by("403", anonymous=LOGIN, staff=OK, admin=OK)
ANALYST_ADMIN = frozenset({"analyst", "admin"})

PAGES = {
    "healthz": Rule(get=ANYONE, post=NOT_ALLOWED),
    "home": Rule(get=LOGGED_IN, post=LOGGED_IN),
    "set_language": Rule(get=ANYONE, post=ANYONE, post_data={"language": "id"}),
    "login": Rule(get=ANYONE, post=ANYONE),
    "logout": Rule(get=NOT_ALLOWED, post=by(LOGIN)),
    "password_change": Rule(get=LOGGED_IN, post=LOGGED_IN),
    "password_change_done": Rule(get=LOGGED_IN, post=by("405", anonymous=LOGIN)),
    "password_reset": Rule(get=ANYONE, post=ANYONE),
    # An unknown token: 404 for everyone, whoever is logged in.
    "link_redeem": Rule(get=by("404"), post=by("404"), obj="token"),
    "participants:document_download": get_only(
        by("404", anonymous=LOGIN, participant=OK, ministry=OK),
        obj="document",
        sees_all=ADMIN_SEES,
    ),
    "placements:referral_list": Rule(
        get=by("403", anonymous=LOGIN, staff=OK, ministry=OK),
        post=by("403", anonymous=LOGIN, staff=OK, ministry=OK),
    ),
    "placements:referral_detail": Rule(
        get=by("403", anonymous=LOGIN, staff=OK, ministry=OK),
        post=by("403", anonymous=LOGIN, staff=OK, ministry=OK),
        obj="referral",
        sees_all=ADMIN_SEES,
    ),
    "imports:index": Rule(get=IMPORTERS, post=IMPORTERS),
    "imports:template_csv": get_only(IMPORTERS),
    "imports:template_xlsx": get_only(IMPORTERS),
    "imports:run": get_only(IMPORTERS, obj="importrun", sees_all=ADMIN_SEES),
    "imports:progress": get_only(IMPORTERS, obj="importrun", sees_all=ADMIN_SEES),
    # The dry run has no stored file: the reports answer 404 to their owner too.
    "imports:report": get_only(
        by("403", anonymous=LOGIN, analyst="404", admin="404"), obj="importrun", sees_all=ADMIN_SEES
    ),
    "imports:rejected_csv": get_only(
        by("403", anonymous=LOGIN, analyst="404", admin="404"), obj="importrun", sees_all=ADMIN_SEES
    ),
    "imports:rejected_xlsx": get_only(
        by("403", anonymous=LOGIN, analyst="404", admin="404"), obj="importrun", sees_all=ADMIN_SEES
    ),
    "imports:commit": Rule(
        get=by("405", anonymous=DENY_ANON),
        post=IMPORTERS,
        obj="importrun",
        sees_all=ADMIN_SEES,
    ),
    "exports:analyst_home": get_only(EXPORTERS),
    "exports:new": Rule(get=EXPORTERS, post=EXPORTERS),
    "exports:jobs": get_only(EXPORTERS),
    "exports:job": get_only(EXPORTERS, obj="exportrun", sees_all=ADMIN_SEES),
    "exports:progress": get_only(EXPORTERS, obj="exportrun", sees_all=ADMIN_SEES),
    # The file goes to the person who made the export only, not even to an admin.
    "exports:download": get_only(EXPORTERS, obj="exportrun"),
    "exports:exchanges": get_only(by("403", anonymous=LOGIN, ministry=OK)),
    "exports:own_data": get_only(by("404", anonymous=LOGIN, participant=OK)),
    "reports:list": Rule(get=by("404", anonymous=LOGIN, staff=OK, ministry=OK), post=NOT_ALLOWED),
    "reports:download": Rule(
        get=by("404", anonymous=LOGIN, staff=OK, ministry=OK),
        post=NOT_ALLOWED,
        obj="reportrun",
        sees_all=frozenset({"officer", "admin"}),
    ),
    "reports:subscription": Rule(
        get=NOT_ALLOWED,
        post=by("404", anonymous=LOGIN, ministry=OK),
        post_data={"kind": "monthly", "action": "subscribe"},
    ),
    "notifications:list": get_only(LOGGED_IN),
    "notifications:mark_read": Rule(get=NOT_ALLOWED_LOGGED_IN, post=LOGGED_IN, obj="notification"),
    "notifications:mark_all_read": Rule(get=NOT_ALLOWED_LOGGED_IN, post=LOGGED_IN),
    # The API's documentation and schema are public (they hold no data).
    "api:schema": get_only(ANYONE),
    "api:docs": get_only(ANYONE),
    "api:api-root": Rule(get=by(OK, anonymous="401"), post=by("405", anonymous="401")),
    "twofactor_setup": Rule(get=LOGGED_IN, post=LOGGED_IN),
    "twofactor_verify": Rule(get=LOGGED_IN, post=LOGGED_IN),
    # Certificate verification is public; an unknown code is a 404.
    "verify": Rule(
        get=ANYONE, post=NOT_ALLOWED, obj="certificate_code", sees_all=frozenset(PERSONAS)
    ),
    "ministry:overview": get_only(by("403", anonymous=LOGIN, ministry=OK)),
    "privacy:search": get_only(by("403", anonymous=LOGIN, ministry=OK)),
    "privacy:person": get_only(
        by("403", anonymous=LOGIN, ministry=OK), obj="participant", sees_all=ADMIN_SEES
    ),
    "me:consent_withdraw": Rule(
        get=NOT_ALLOWED_LOGGED_IN, post=by("404", anonymous=LOGIN, participant=OK), obj="consent"
    ),
    "me:correction": Rule(
        get=NOT_ALLOWED_LOGGED_IN,
        post=by("404", anonymous=LOGIN, participant=frozenset({OK, "400"})),
    ),
    **{
        f"me:{name}": get_only(by("404", anonymous=LOGIN, participant=OK))
        for name in ("status", "next", "data", "data_print", "data_json")
    },
    # Partner pages: partner staff, and ministry staff looking through a partner's eyes.
    **{
        f"partner:{name}": get_only(PARTNER_PAGE)
        for name in (
            "dashboard",
            "batches",
            "batches_download",
            "participants",
            "participants_download",
            "agreements",
            "agreements_download",
        )
    },
    "partner:batch": get_only(PARTNER_PAGE, obj="batch", sees_all=MINISTRY_LENS),
    "partner:session": get_only(PARTNER_PAGE, obj="batch_session", sees_all=MINISTRY_LENS),
    "partner:participant": get_only(PARTNER_PAGE, obj="participant", sees_all=MINISTRY_LENS),
    "partner:participant_invite": Rule(
        get=PARTNER_PAGE, post=PARTNER_PAGE, obj="participant", sees_all=MINISTRY_LENS
    ),
    "partner:agreement": get_only(PARTNER_PAGE, obj="agreement", sees_all=MINISTRY_LENS),
    # The team page is the lead's (the staff personas are not leads); ministry staff who have
    # not chosen a partner are sent to choose one.
    "partner:team": Rule(get=LEAD_ONLY, post=LEAD_ONLY),
    "partner:team_remove": Rule(
        get=read_post(
            by("405", anonymous=LOGIN, participant="403", analyst="403", officer="403", admin=OK)
        ),
        post=LEAD_ONLY,
        obj="staff_user",
        sees_all=MINISTRY_LENS,
    ),
}

# --- API: /api/v1/<endpoint>/ -----------------------------------------------------------------
# endpoint -> (object kind, personas that see every row, endpoint refuses participants,
#              list POST creates, detail PATCH exists)
API = {
    "participants": ("participant", ANALYST_ADMIN, False, True, True),
    "organisations": ("organisation", frozenset(PERSONAS), True, False, False),
    "agreements": ("agreement", frozenset({"analyst", "officer", "admin"}), True, False, False),
    "programmes": ("programme", frozenset(PERSONAS), True, False, False),
    "participations": ("participation", ANALYST_ADMIN, False, False, False),
    "tracks": ("track", frozenset(PERSONAS), True, False, False),
    "batches": ("batch", frozenset({"analyst", "officer", "admin"}), False, False, False),
    "sessions": ("session", frozenset({"analyst", "officer", "admin"}), False, False, False),
    "enrolments": ("enrolment", ANALYST_ADMIN, False, True, False),
    "attendance": ("attendance", ANALYST_ADMIN, False, False, False),
    "assessments": ("assessment", ANALYST_ADMIN, False, True, False),
    "certificates": ("certificate", ANALYST_ADMIN, False, True, False),
    # Side A's order is open: every partner sees open orders (demand for training).
    "job-orders": (
        "job_order",
        frozenset({"analyst", "officer", "admin", "staff_b"}),
        True,
        False,
        False,
    ),
    "placements": ("placement", ANALYST_ADMIN, False, False, False),
    "check-ins": ("check_in", ANALYST_ADMIN, False, True, False),
    "cases": ("case", ADMIN_SEES, False, True, True),
    "documents": ("document", ANALYST_ADMIN, False, False, False),
    "deletions": ("deletion", frozenset(PERSONAS), False, False, False),
}
# Writes in the API: ministry staff with the model permission (an empty body: 400); partner
# staff where `partner_writes` allows (400 too); everyone else 403.
API_WRITERS = {
    "participants": {"officer", "admin", "staff_a", "staff_b"},
    "enrolments": {"officer", "admin", "staff_a", "staff_b"},
    "assessments": {"officer", "admin", "staff_a", "staff_b"},
    "certificates": {"officer", "admin", "staff_a", "staff_b"},
    "check-ins": {"officer", "admin", "staff_a", "staff_b"},
    "cases": {"officer", "admin"},
}
API_ACTIONS = {
    "sessions-attendance": ("sessions", {"officer", "admin", "staff_a", "staff_b"}),
    "placements-advance": ("placements", {"officer", "admin", "staff_a", "staff_b"}),
}


WRITE_OK = frozenset({"400", OK})  # an empty or invalid body: 400; a no-op PATCH may be 200


def _api_read(endpoint):
    kind, sees_all, refuses_participants, *_ = API[endpoint]
    answer = by(OK, anonymous="401")
    if refuses_participants:
        answer.update(participant_a="403", participant_b="403")
    if endpoint == "cases":
        answer = by("403", anonymous="401", ministry=OK)
    return answer


def _api_write(endpoint, writers, *, exists=True):
    if not exists:
        answer = _api_read(endpoint)
        return {p: ("405" if v == OK else v) for p, v in answer.items()}
    answer = _api_read(endpoint)
    return {p: (WRITE_OK if p in writers else v if v != OK else "403") for p, v in answer.items()}


def api_rule(name):
    endpoint, _, suffix = name.removeprefix("api:").rpartition("-")
    if name.removeprefix("api:") in API_ACTIONS:
        endpoint, writers = API_ACTIONS[name.removeprefix("api:")]
        kind, sees_all, *_ = API[endpoint]
        return Rule(
            get=_api_write(endpoint, (), exists=False),
            post=_api_write(endpoint, writers),
            obj=kind,
            sees_all=sees_all,
        )
    if endpoint not in API:
        return None
    kind, sees_all, _refuses, creates, patches = API[endpoint]
    writers = API_WRITERS.get(endpoint, ())
    if suffix == "list":
        return Rule(
            get=_api_read(endpoint),
            post=_api_write(endpoint, writers, exists=creates),
            other={"HEAD": _api_read(endpoint)},
        )
    if suffix == "detail":
        return Rule(
            get=_api_read(endpoint),
            post=_api_write(endpoint, (), exists=False),
            obj=kind,
            sees_all=sees_all,
            other={
                "HEAD": _api_read(endpoint),
                "PUT": _api_write(endpoint, (), exists=False),
                "PATCH": _api_write(endpoint, writers, exists=patches),
                "DELETE": _api_write(endpoint, (), exists=False),
            },
        )
    return None


# --- Admin ---------------------------------------------------------------------------------------
NOT_MINISTRY = dict.fromkeys(PERSONAS[:-2], "admin_login")
# What each ministry role may do per admin model, where it differs from the role table
# (`ROLE_PERMISSIONS`): v(iew), a(dd), c(hange), d(elete). Apps outside the role table are
# listed in full; a model not listed takes the role table's answer.
ADMIN_ACCESS = {
    # Reference data is loaded by command: read-only in the admin.
    **{
        ("regions", m): {"officer": "v", "admin": "v"}
        for m in ("country", "province", "regency", "legacyregencycode")
    },
    # The audit trail and the phase history are append-only.
    ("auditlog", "logentry"): {"officer": "v", "admin": "v"},
    ("placements", "phasechange"): {"officer": "v", "admin": "v"},
    # Cases, check-ins and referrals are closed, never deleted.
    ("placements", "case"): {"officer": "vac", "admin": "vac"},
    ("placements", "checkin"): {"officer": "vac", "admin": "vac"},
    ("placements", "referral"): {"officer": "vac", "admin": "vac"},
    ("training", "attendance"): {"officer": "vc", "admin": "vcd"},
    ("training", "certificate"): {"officer": "vc", "admin": "vcd"},
    ("participants", "datawarning"): {"officer": "vc", "admin": "vc"},
    ("participants", "pendingchange"): {"officer": "vc", "admin": "vc"},
    ("participants", "consent"): {"officer": "vac", "admin": "vac"},
    # API tokens and their request log: ministry admins; tokens are revoked, not deleted.
    ("api", "apitoken"): {"officer": "", "admin": "vac"},
    ("api", "apirequestlog"): {"officer": "", "admin": "v"},
    ("api", "deletion"): {"officer": "", "admin": "v"},
    ("exports", "exportrun"): {"officer": "v", "admin": "v"},
    ("notifications", "notification"): {"officer": "v", "admin": "v"},
    ("reports", "reportrun"): {"officer": "v", "admin": "v"},
    ("reports", "reportsubscription"): {"officer": "vacd", "admin": "vacd"},
    ("privacy", "breach"): {"officer": "", "admin": "vac"},
    ("privacy", "retentionrun"): {"officer": "", "admin": "v"},
    ("auth", "group"): {"officer": "", "admin": ""},
    ("otp_totp", "totpdevice"): {"officer": "", "admin": ""},
    **{
        ("axes", m): {"officer": "", "admin": ""}
        for m in ("accessattempt", "accessfailurelog", "accesslog")
    },
}
# Admin models whose objects belong to one person (or one user's run): an officer limited to
# Bali must get the admin's not-found redirect for side B's.
ADMIN_PERSON_MODELS = {
    ("participants", "participant"): "participant",
    ("participants", "consent"): "consent",
    ("participants", "personaldocument"): "document",
    ("training", "enrolment"): "enrolment",
    ("placements", "placement"): "placement",
    ("placements", "case"): "case",
    ("exports", "exportrun"): "exportrun",
    ("training", "attendance"): "attendance",
    ("training", "assessmentresult"): "assessment",
    ("training", "certificate"): "certificate",
    ("placements", "checkin"): "check_in",
}
# The project's own admin views: name -> (app, model, the standard view whose permission
# they need).
ADMIN_CUSTOM_VIEWS = {
    "accounts_user_link": ("accounts", "user", "change"),
    "accounts_user_send_link": ("accounts", "user", "change"),
    "auth_user_password_change": ("accounts", "user", "change"),
    "participants_participant_readers": ("participants", "participant", "change"),
    "placements_joborder_matching": ("placements", "joborder", "change"),
    "placements_placement_move": ("placements", "placement", "change"),
    "placements_placement_milestone": ("placements", "placement", "change"),
    "placements_placement_phases": ("placements", "placement", "change"),
    "otp_totp_totpdevice_config": ("otp_totp", "totpdevice", "change"),
    "otp_totp_totpdevice_qrcode": ("otp_totp", "totpdevice", "change"),
}
ADMIN_NO_OBJECT = {"accounts_user_send_link"}
# (view, method) -> the action needed.
ADMIN_ACTION = {
    ("changelist", "GET"): "v",
    ("changelist", "POST"): "v",
    ("change", "GET"): "v",
    ("change", "POST"): "c",
    ("history", "GET"): "v",
    ("history", "POST"): "v",
    ("add", "GET"): "a",
    ("add", "POST"): "a",
    ("delete", "GET"): "d",
    ("delete", "POST"): "d",
}
ROLE_CODE = {"officer": "ministry_officer", "admin": "ministry_admin"}


def admin_may(persona, app, model, action):
    """The declared admin access of a ministry persona."""
    if (app, model) in ADMIN_ACCESS:
        return action in ADMIN_ACCESS[(app, model)][persona]
    from portal.accounts.models import Role
    from portal.accounts.roles import ROLE_PERMISSIONS

    actions = ROLE_PERMISSIONS[Role(ROLE_CODE[persona])]["apps"].get(app, ())
    letters = {"view": "v", "add": "a", "change": "c", "delete": "d"}
    granted = {letters[a] for a in actions}
    if "c" in granted:
        granted.add("v")
    return action in granted


def admin_apps_for(persona):
    """App labels whose admin index page a ministry persona may open."""
    from portal.accounts.models import Role
    from portal.accounts.roles import ROLE_PERMISSIONS

    apps = {a for a, acts in ROLE_PERMISSIONS[Role(ROLE_CODE[persona])]["apps"].items() if acts}
    for (app, _model), access in ADMIN_ACCESS.items():
        if access[persona]:
            apps.add(app)
    return apps


def admin_rule(name):
    """The admin: non-ministry personas always meet the admin's login redirect."""
    short = name.removeprefix("admin:")
    ministry_ok = {**NOT_MINISTRY, "officer": OK, "admin": OK}
    site = {
        "index": Rule(get=ministry_ok, post=ministry_ok),
        # The admin's login sends the anonymous to the portal's login page and tells a logged-in
        # user without access that they have none.
        "login": Rule(
            get=by("403", anonymous=LOGIN, ministry=OK),
            post=by("403", anonymous=LOGIN, ministry=OK),
        ),
        "logout": Rule(
            # Outside the admin, its logout page only sends people on (to the admin's index).
            get=by(frozenset({"405", OK, "admin_login"}), ministry="405"),
            post=by(frozenset({OK, LOGIN, "admin_login"}), ministry=LOGIN),
        ),
        "password_change": Rule(get=ministry_ok, post=ministry_ok),
        "password_change_done": Rule(
            get=ministry_ok, post={**NOT_MINISTRY, "officer": "405", "admin": "405"}
        ),
        "jsi18n": Rule(get=ministry_ok, post={**NOT_MINISTRY, "officer": "405", "admin": "405"}),
        # Without its parameters the autocomplete view refuses.
        "autocomplete": Rule(
            get={**NOT_MINISTRY, "officer": "403", "admin": "403"},
            post={**NOT_MINISTRY, "officer": "405", "admin": "405"},
        ),
    }
    if short in site:
        return site[short]
    if short == "view_on_site":
        # "View on site" for a participant: the record has no page outside the admin (404).
        answer = {**NOT_MINISTRY, "officer": "404", "admin": "404"}
        return Rule(get=answer, post=answer, obj="view_on_site")
    custom = ADMIN_CUSTOM_VIEWS.get(short)
    if custom:
        app, model, view = custom
    else:
        match = re.fullmatch(r"(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_(?P<view>[a-z]+)", short)
        if not match or match["view"] not in {v for v, _m in ADMIN_ACTION}:
            return None
        app, model, view = match["app"], match["model"], match["view"]
    answers = {}
    for method in ("GET", "POST"):
        answer = dict(NOT_MINISTRY)
        for persona in ("officer", "admin"):
            allowed = admin_may(persona, app, model, ADMIN_ACTION[(view, method)])
            answer[persona] = OK if allowed else "403"
        answers[method] = answer
    if short == "accounts_user_send_link":  # a POST-only form; an empty one is a 400
        answers["GET"] = {**NOT_MINISTRY, "officer": "405", "admin": "405"}
        answers["POST"] = {**answers["POST"], "admin": "400"}
    kind = ADMIN_PERSON_MODELS.get((app, model))
    needs_object = view in {"change", "history", "delete"} and short not in ADMIN_NO_OBJECT
    return Rule(
        get=answers["GET"],
        post=answers["POST"],
        obj=(kind or f"admin_object:{app}.{model}") if needs_object else None,
        sees_all=ADMIN_SEES if kind else frozenset({"officer", "admin"}),
    )


def rule_for(name):
    if name in PAGES:
        return PAGES[name]
    if name.startswith("api:"):
        return api_rule(name)
    if name.startswith("admin:"):
        return admin_rule(name)
    return None


# --- The URL configuration ----------------------------------------------------------------------
def url_names():
    """{name: [argument names]} of every named URL pattern, with namespaces."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.setdefault(name, sorted(pattern.pattern.regex.groupindex))

    walk(get_resolver().url_patterns, "")
    return found


def classify(response, *, admin=False):
    """The matrix's name for a response."""
    code = response.status_code
    if 300 <= code < 400:
        location = response.get("Location", "")
        if location.startswith("/admin/login/"):
            return "admin_login"
        if location.startswith("/login/"):
            return LOGIN
        if admin and location.rstrip("/") in {"/admin", ""} | {"/admin/"}:
            return "admin_notfound"
        return OK
    if 200 <= code < 300:
        return OK
    return str(code)


def expected_for_other(rule, persona, own_answer, *, admin=False):
    """The answer for the other side's object."""
    if persona in rule.sees_all:
        return own_answer
    notfound = "admin_notfound" if admin else "404"
    if isinstance(own_answer, frozenset):
        reached = own_answer & {OK, "400"}
        return frozenset(own_answer - {OK, "400"} | ({notfound} if reached else set()))
    if own_answer == OK or (isinstance(own_answer, frozenset) and own_answer & {OK, "400"}):
        return "admin_notfound" if admin else "404"
    return own_answer


def matches(expected, got):
    if isinstance(expected, frozenset | set):
        return got in expected
    return got == expected

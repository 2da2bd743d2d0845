"""Walk the permission matrix against a `world` (tests/security/conftest.py)."""

from django.apps import apps
from django.urls import reverse

from . import matrix

LOGS_OUT = {"logout", "admin:logout"}


def _pk(obj):
    return obj.pk if obj is not None else None


def object_pks(world, kind, persona):
    """(own pk, other pk) of `kind` for `persona`, or None when the kind has no such pair."""
    side = matrix.SIDE.get(persona, "a")
    mine, theirs = (world.a, world.b) if side == "a" else (world.b, world.a)
    if kind in {"token"}:
        return "no-such-token-0123456789", None
    if kind == "exportrun":
        owner = persona if persona in world.exports else "analyst"
        other = "officer" if owner != "officer" else "analyst"
        return world.exports[owner].pk, world.exports[other].pk
    if kind == "importrun":
        owner = persona if persona in world.imports else "analyst"
        other = "admin" if owner != "admin" else "analyst"
        return world.imports[owner].pk, world.imports[other].pk
    if kind == "notification":
        other = "participant_b" if persona != "participant_b" else "participant_a"
        own = world.notifications.get(persona, world.notifications["participant_a"])
        return own.pk, world.notifications[other].pk
    if kind == "reportrun":
        return world.reports[side.upper()].pk, world.reports["B" if side == "a" else "A"].pk
    if kind.startswith("admin_object:"):
        model = apps.get_model(kind.split(":", 1)[1])
        first = model._default_manager.order_by("pk").first()
        return (first.pk if first else MISSING), None
    if kind == "view_on_site":
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(mine.participant)
        return (
            {"content_type_id": content_type.pk, "object_id": mine.participant.pk},
            {"content_type_id": content_type.pk, "object_id": theirs.participant.pk},
        )
    if kind == "certificate_code":
        return mine.certificate.verification_code, theirs.certificate.verification_code
    if kind == "batch_session":
        return (
            {"pk": mine.batch.pk, "session_pk": mine.session.pk},
            {"pk": theirs.batch.pk, "session_pk": theirs.session.pk},
        )
    if kind == "staff_user":
        return world.users[f"staff_{side}"].pk, world.users[
            "staff_b" if side == "a" else "staff_a"
        ].pk
    if kind in {"organisation"}:
        return _pk(mine.organisation), _pk(theirs.organisation)
    return _pk(getattr(mine, kind)), _pk(getattr(theirs, kind))


def build(name, arguments, pk):
    if isinstance(pk, dict):
        return reverse(name, kwargs=pk)
    kwargs = {}
    for argument in arguments:
        kwargs[argument] = str(pk)
    return reverse(name, kwargs=kwargs)


MISSING = 999999


def app_list_answer(app_label, persona):
    if persona not in {"officer", "admin"}:
        return "admin_login"
    return matrix.OK if app_label in matrix.admin_apps_for(persona) else "404"


def for_missing_object(name, own):
    """An admin object that does not exist: the admin's not-found redirect where the persona
    may open the view (Django checks some views' permission after the lookup, so a refusal may
    be either); the project's own admin views may answer a plain 404."""
    custom = name.removeprefix("admin:") in matrix.ADMIN_CUSTOM_VIEWS
    notfound = {"admin_notfound", "404"} if custom else {"admin_notfound"}
    if own == matrix.OK or own == "400":
        return frozenset(notfound)
    if own == "403":
        return frozenset(notfound | {"403"})
    return own


def cases(
    names=None,
    methods=("GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"),
    world=None,
    personas=matrix.PERSONAS,
):
    """Yield (name, persona, method, url, expected, admin) for every declared case; raise
    KeyError listing URL names with no rule."""
    found = matrix.url_names()
    missing = []
    for name, arguments in sorted(found.items()):
        if names is not None and name not in names:
            continue
        if name == "admin:app_list":
            for label in sorted({m._meta.app_label for m in apps.get_models()} & _admin_apps()):
                url = reverse(name, kwargs={"app_label": label})
                for persona in personas:
                    if "GET" in methods:
                        yield name, persona, "GET", url, app_list_answer(label, persona), True
            continue
        rule = matrix.rule_for(name)
        if rule is None:
            missing.append(name)
            continue
        admin = name.startswith("admin:")
        per_method = {"GET": rule.get, "POST": rule.post, **rule.other}
        for persona in personas:
            for method, answers in per_method.items():
                if method not in methods:
                    continue
                own = answers[persona]
                if not arguments:
                    yield name, persona, method, reverse(name), own, admin
                    continue
                assert rule.obj, f"{name} takes {arguments} but its rule names no object"
                own_pk, other_pk = object_pks(world, rule.obj, persona)
                if own_pk == MISSING:
                    own = for_missing_object(name, own)
                yield name, persona, method, build(name, arguments, own_pk), own, admin
                if other_pk is not None:
                    other = matrix.expected_for_other(rule, persona, own, admin=admin)
                    url = build(name, arguments, other_pk)
                    yield name, persona, method, url, other, admin
    if missing:
        raise KeyError(f"URL names missing from the permission matrix: {missing}")


def _admin_apps():
    from django.contrib import admin

    return {model._meta.app_label for model in admin.site._registry}


def request(world, persona, method, url, data=None):
    client = world.clients[persona]
    if method in {"PUT", "PATCH", "DELETE"}:
        response = getattr(client, method.lower())(
            url, data=data or {}, content_type="application/json"
        )
    else:
        response = getattr(client, method.lower())(url, data=data or {})
    return response


def run(
    world,
    *,
    names=None,
    methods=("GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"),
    on_response=None,
    personas=matrix.PERSONAS,
):
    """Check every case; returns (count, mismatches as readable lines)."""
    count, mismatches = 0, []
    for name, persona, method, url, expected, admin in cases(names, methods, world, personas):
        rule = matrix.rule_for(name)
        data = rule.post_data if (rule and method == "POST") else None
        response = request(world, persona, method, url, data)
        got = matrix.classify(response, admin=admin and bool(rule and rule.obj))
        count += 1
        if not matrix.matches(expected, got):
            mismatches.append(
                f"{method} {url} [{name}] as {persona}: got {got}, expected "
                f"{sorted(expected) if isinstance(expected, frozenset) else expected}"
            )
        if on_response is not None:
            on_response(name, persona, method, url, response)
        if name in LOGS_OUT and persona != "anonymous" and method == "POST":
            world.clients[persona].force_login(world.users[persona])
    return count, mismatches

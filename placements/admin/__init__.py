"""Placements in the ministry admin: job orders and their matching, the rules ministry staff
edit, placements with their phases, check-ins, cases and referrals.

Every list starts from the model's `visible_to(request.user)` (or its placement's), so an
officer limited to provinces sees only their participants' rows; cases and referrals need
`placements.view_case`. State fields (phase, case and referral status, closing date) are
read-only: actions and the pages below change them through `placements.services` and report
each refusal. Restricted fields are handled as in the participants admin: hidden (with a
"recorded" line) from users without `participants.view_restricted`, audited when shown.
"""

from . import cases, jobs, journeys, rules  # noqa: F401 (registers the admins)

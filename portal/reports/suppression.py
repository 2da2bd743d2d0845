"""Small-number suppression: the one rule partners see in reports and on dashboards.

A count from 1 to 4 could point at a person, so it shows as "<5" (0 stays 0). A total is
withheld whenever a suppressed cell could be worked out from it; the simple rule that is always
safe is used: no total as soon as any cell of the breakdown is suppressed.
"""

SUPPRESSED = "<5"
THRESHOLD = 5


def suppress_value(count):
    """`count`, or "<5" when it is between 1 and 4."""
    if count is None:
        return None
    return SUPPRESSED if 0 < count < THRESHOLD else count


def is_suppressed(count):
    return count is not None and 0 < count < THRESHOLD


def suppress(cells):
    """Return (shown, total) for a breakdown `cells` (key -> count).

    `shown` maps each key to its count or "<5"; `total` is the sum of the counts, or None when
    any cell is suppressed (the total would let it be worked out from the others).
    """
    shown = {key: suppress_value(count) for key, count in cells.items()}
    if any(is_suppressed(count) for count in cells.values()):
        return shown, None
    return shown, sum(count or 0 for count in cells.values())

"""Small-group suppression for breakdowns by role: the one rule for console, projector and exports.

A breakdown by role group (parents, social workers, ...) is shown only for groups of at
least ``k`` people. Hiding has to survive arithmetic: the total is always published, so a
hidden group must not come back as "total minus the groups you can see". Everything that
shows counts by role calls :func:`suppress` (or :func:`suppress_table` for a cross-tab), so
the same groups are hidden everywhere for the same counts.

The rule, for ``counts`` (role label -> respondents, groups with 0 are simply absent):

1. **Primary suppression.** A group with ``0 < count < k`` is not shown on its own; it is
   merged into one "other roles" cell (``other_label``).
2. **Complementary suppression.** The merged cell must itself be safe to publish. It is,
   when it merges at least two groups, holds at least ``k`` people, and no merged group's
   count is pinned by the bounds a reader knows (see below). While it is not, the smallest
   shown groups are merged into it as well -- all groups tied at the smallest count
   together, so the choice never depends on label order -- until it is safe or nothing is
   left to show.
3. **Small totals.** When ``0 < total < k`` nothing is broken down: only "fewer than k" is
   shown, and the total itself is hidden.

What a reader can know, and why "safe" has the parts it has. A reader sees the shown
counts (each ``>= k``), the merged labels, the merged count ``c`` (= total minus the shown
counts), and may know this algorithm. Each of the ``m`` merged groups then has at least 1
person (zero groups are absent) and fewer people than the smallest shown group (it is
either under ``k``, or was merged for being the smallest, and ties are merged together).
``m`` groups of ``1..U`` people summing to ``c`` pin every count when ``c == m`` (all ones)
or ``c == m * U`` (all at the bound). So the merged cell is safe when::

    m >= 2  and  c >= k  and  c > m
    and, if only groups under k are merged,  c < m * (k - 1)

(Once a group has been merged for being the smallest, ``c < m * (smallest shown - 1)``
holds by itself: every merged group is below that bound and at least one is under ``k``.)
The group labelled ``other_label`` is merged whatever its size (see below), so a reader has
no upper bound on it and it can absorb any split of ``c``; while it is in the cell, the last
condition is instead "the smallest shown group, if any, is at least 3" -- which only bites
at ``k=2``, where it stops every other merged group being pinned at 1.

Rules 1-2 thus amount to a rising threshold: groups under ``k`` are merged, then the groups
at the smallest shown count, then the next, ..., stopping at the first safe cell. E.g. with
``k=5``, ``{A: 20, B: 4, C: 4}`` cannot show "A 20, other 8", since 8 = 4 + 4 with both
under 5; and with ``k=2`` groups of 1 are never merged only with each other. Because a
reader who knows the algorithm can also rule out every input that would have produced a
different output, ``tests/unit/test_suppression.py`` checks the rule by brute force: over
every input in small ranges, grouped by the output each gives, no hidden group is left with
only one possible count in ``1..k-1``.

Judgement calls:

* A group whose label *is* ``other_label`` (e.g. an "Other" role on the join form) is never
  shown on its own: it always goes into the merged cell, so the output never has two cells
  with that label. If ``total`` is larger than the sum of ``counts``, the surplus (people in
  no listed group) joins that group too.
* When no safe merged cell exists even with everything merged -- e.g. ``{A: 4, B: 4}`` with
  ``k=5`` ("8 = 4 + 4" pins both), one person in each of several groups, or everyone in the
  ``other_label`` group -- the total is shown with no breakdown at all (``cells == ()``,
  ``suppressed`` is true).
* Merged labels are listed in label order, not input order, so their order says nothing
  about their counts whatever order the caller's mapping happens to have.
* Attack model and its limits: the guarantee above is about one output, read by someone who
  knows the algorithm but not which roles are absent (zero). Someone who knows every role
  that *could* appear learns more from a total shown with no breakdown: if ``A`` and ``B``
  are the only roles, "8, no breakdown" at ``k=5`` means 4 and 4. And two outputs built
  from *different* counts for the same people (say, two questions with different numbers
  of answers) can hide different groups, so differencing them is not covered. The record
  sizes each question's groups by the people who answered *that* question (a group sized
  by who joined would print the answers of the two people actually asked as a group of
  eight), and shows each question's answers by role in one table only, so there is no
  second table of the same answers, with other groups hidden, to take away from it.

Cross-tabs (:func:`suppress_table`), e.g. position (consent / object / ...) by role: the
roles to show are decided once, from the role totals (respondents per role), by the rule
above -- never column by column, since hiding different roles in different columns would
let row and column totals give them back. Each shown role then gets its full per-category
breakdown, and the merged roles get one combined breakdown (each category summed over the
same merged set, so no hidden role's row can be taken apart from it). **Only role groups
under k are protected, not cells**: a cell inside a shown role may be small ("2 of the 8
social workers object") -- that role has at least k people, and a per-cell threshold would
hide exactly the dissent a consultation needs to hear. Likewise a merged breakdown may say
"nobody in the merged roles objected", a statement about a group of at least k.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Cell", "Suppressed", "fewer_than", "suppress", "suppress_table"]


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None when hidden
    display: str  # e.g. "12", "fewer than 5"
    merged: tuple[str, ...] = ()  # for the other-roles cell: the labels merged into it


@dataclass(frozen=True)
class Suppressed:
    k: int
    total: int | None  # None when 0 < total < k (hidden)
    total_display: str  # "37", "fewer than 5" or "0"
    cells: tuple[Cell, ...]  # shown groups in input order, then the other-roles cell (if any)
    suppressed: bool  # anything hidden?
    # suppress_table only: on the other_label entry, the roles merged into it. (suppress()
    # leaves this empty: its merged labels are on the other-roles cell.)
    merged_roles: tuple[str, ...] = ()

    @property
    def other(self) -> Cell | None:
        """The merged other-roles cell, if there is one."""
        if self.cells and self.cells[-1].merged:
            return self.cells[-1]
        return None

    @property
    def shown(self) -> tuple[Cell, ...]:
        """The groups shown on their own, in input order."""
        return tuple(cell for cell in self.cells if not cell.merged)


def fewer_than(k: int) -> str:
    return f"fewer than {k}"


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"k must be an integer of at least 2, not {k!r}")


def _check_count(label: str, count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count for {label!r} must be a non-negative integer, not {count!r}")


def _hidden_labels(groups: dict[str, int], k: int, other_label: str) -> set[str] | None:
    """Labels to merge (empty: nothing hidden), or None if no safe merged cell exists."""
    hidden = {label for label, n in groups.items() if n < k or label == other_label}
    if not hidden:
        return hidden
    shown = {label: n for label, n in groups.items() if label not in hidden}
    # The other_label group is merged whatever its size, so a reader has no upper bound on it.
    unbounded = other_label in hidden
    # Until a group is merged for being the smallest, every merged group is under k.
    only_small = True
    hidden_sum = sum(groups[label] for label in hidden)

    def safe() -> bool:
        m = len(hidden)
        if m < 2 or hidden_sum < k or hidden_sum <= m:
            return False
        if unbounded:
            return not shown or min(shown.values()) >= 3
        return not only_small or hidden_sum < m * (k - 1)

    while not safe():
        if not shown:
            return None
        smallest = min(shown.values())
        for label in sorted(label for label, n in shown.items() if n == smallest):
            hidden.add(label)
            hidden_sum += smallest
            del shown[label]
        only_small = False
    return hidden


def suppress(
    counts: Mapping[str, int],
    k: int,
    *,
    other_label: str = "Other roles",
    total: int | None = None,
) -> Suppressed:
    """Apply the small-group rule to respondents per role group (see the module docstring).

    ``total`` defaults to the sum of ``counts``; it may be larger (people in no listed group,
    who are counted with ``other_label``) but not smaller.
    """
    _check_k(k)
    groups: dict[str, int] = {}
    for label, count in counts.items():
        _check_count(label, count)
        if count:
            groups[label] = count
    listed = sum(groups.values())
    if total is None:
        total = listed
    else:
        _check_count("total", total)
        if total < listed:
            raise ValueError(f"total {total} is less than the sum of the counts ({listed})")
        if total > listed:
            groups[other_label] = groups.get(other_label, 0) + (total - listed)

    if total == 0:
        return Suppressed(k, 0, "0", (), False)
    if total < k:
        return Suppressed(k, None, fewer_than(k), (), True)

    hidden = _hidden_labels(groups, k, other_label)
    if hidden is None:
        return Suppressed(k, total, str(total), (), True)
    cells = [Cell(label, n, str(n)) for label, n in groups.items() if label not in hidden]
    if hidden:
        merged = tuple(sorted(hidden))
        other_count = sum(groups[label] for label in merged)
        cells.append(Cell(other_label, other_count, str(other_count), merged))
    return Suppressed(k, total, str(total), tuple(cells), bool(hidden))


def suppress_table(
    rows: Mapping[str, Mapping[str, int]],
    k: int,
    *,
    other_label: str = "Other roles",
    role_totals: Mapping[str, int] | None = None,
) -> dict[str, Suppressed]:
    """Break a role x category cross-tab down safely.

    ``rows`` maps role -> {category -> count}. Which roles are shown is decided once, by
    :func:`suppress` on the respondents per role: ``role_totals`` if given (use it when a
    person can be counted in more than one category), else the sum of each role's row.
    The result maps each shown role, then ``other_label`` if any roles were merged, to a
    :class:`Suppressed` whose ``total`` is the role's respondents and whose cells are the
    categories (the union over all rows, in first-seen order; missing ones count 0); the
    ``other_label`` entry names its roles in ``merged_roles``.
    Category cells are not suppressed: see the module docstring for why. When no breakdown
    by role is possible the result is ``{other_label: <total only, no cells>}``, and ``{}``
    when there is nobody.
    """
    categories: dict[str, None] = {}
    for role, row in rows.items():
        for category, count in row.items():
            _check_count(f"{role}/{category}", count)
            categories.setdefault(category, None)
    if role_totals is None:
        totals = {role: sum(row.values()) for role, row in rows.items()}
    else:
        if set(role_totals) != set(rows):
            raise ValueError("role_totals must have the same roles as rows")
        totals = dict(role_totals)

    plan = suppress(totals, k, other_label=other_label)
    if plan.total == 0:
        return {}
    if not plan.cells:
        return {other_label: Suppressed(k, plan.total, plan.total_display, (), True)}

    def breakdown(roles: tuple[str, ...]) -> tuple[Cell, ...]:
        sums = {c: sum(rows[role].get(c, 0) for role in roles) for c in categories}
        return tuple(Cell(c, n, str(n)) for c, n in sums.items())

    out: dict[str, Suppressed] = {}
    for cell in plan.cells:
        if cell.merged:
            out[other_label] = Suppressed(
                k, cell.count, cell.display, breakdown(cell.merged), True, merged_roles=cell.merged
            )
        else:
            out[cell.label] = Suppressed(k, cell.count, cell.display, breakdown((cell.label,)), False)
    return out

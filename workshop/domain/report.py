"""What the consultation report prints beside the numbers: a chart per question, the top comments.

Pure (standard library and the domain only). Works on the record's plain ``as_dict()`` form,
like ``export_render``, so the web page, the PDF and the command line draw the same report.
The report lists every number but at most ``REPORT_COMMENT_LIMIT`` comments of each kind per
use case, those with the most "me too" first; the JSON and CSV exports hold all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .charts import bar_chart_svg
from .release import released_tally
from .tally import OptionCount, Tally

REPORT_COMMENT_LIMIT = 20


def question_chart(question: Mapping[str, Any] | None, chart_id: str, k: int) -> str:
    """Draw a question's overall counts (nothing when they are hidden or fewer than ``k`` answered)."""
    if question is None or question["hidden"] or not question["answered"]["count"]:
        return ""
    tally = Tally(
        question["answered"]["count"],
        tuple(OptionCount(o["key"], o["label"], o["count"] or 0) for o in question["options"]),
        question["multiple"],
        question["mean"],
    )
    title = question["asked"][0]["question"] if question["asked"] else question["key"]
    return bar_chart_svg(released_tally(tally, k), title, chart_id=chart_id)


def top_comments(comments: list[Mapping[str, Any]], limit: int | None) -> tuple[list[Mapping[str, Any]], int]:
    """The comments to print, most supported first, and how many more there are."""
    ranked = sorted(comments, key=lambda c: (-c["me_too"], c["id"]))
    if limit is None or len(ranked) <= limit:
        return ranked, 0
    return ranked[:limit], len(ranked) - limit

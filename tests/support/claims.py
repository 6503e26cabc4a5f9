"""Read the registry of what the product says about privacy (``docs/claims.toml``) and find
every sentence that could be such a claim in the places the product says it.

The net is deliberately wide: a sentence is a *candidate* when it uses a word that privacy,
anonymity or "what happens next" claims use (name, nobody, never, only, deleted, receipt, ...).
Each candidate must be in the registry, either inside a claim (with the tests that prove it)
or listed as ordinary wording (a button, a heading, an instruction that promises nothing).
So a new promise cannot slip onto a page unregistered, and a registered one cannot vanish
from its page while the registry still vouches for it.

Sources, and how their text is read:

- participant templates: the literal strings given to ``_()`` (what is translated and shown);
- the report body and the paper form: their text with tags removed, ``{{ k }}`` kept as ``{k}``;
- workshop packs: each step's title, text (shown to participants) and notes (for facilitators);
- the safeguarding file: the message a participant sees;
- ``docs/privacy.md``: its prose and bullets (tables and code blocks are skipped).
"""

from __future__ import annotations

import ast
import html
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "docs" / "claims.toml"

# Words a privacy, anonymity or "what happens next" claim is likely to use.
CLAIM_WORDS = re.compile(
    r"anonym|\bnames?\b|remov|delet|nobody|no one|\bnever\b|cannot|can't|privat|\bonly\b|withdr|receipt"
    r"|fewer than|\bgroups?\b|encrypt|\bhidden\b|\bhid(e|es|ing)?\b|\bkept\b|\bkeeps?\b|\bstored?\b|secret"
    r"|(take|took|taken|taking) back|\breport\b|\brecord\b|\bsaved?\b|\bIP\b|address|Wi-Fi|personal"
    r"|who said|see who|\breply\b|\bchecked\b|not (?:been )?shown",
    re.IGNORECASE,
)

REPORT_SECTIONS = ("who", "methods", "moderation")

_GETTEXT = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
_INLINE_TAGS = r"a|abbr|b|br|code|em|i|q|s|small|span|strong|sub|sup"
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[A-Z0-9\"“'(\[{])")


def normalise(text: str) -> str:
    """One space between words, curly quotes straight, no markdown emphasis or code marks."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"\*\*|`", "", text)
    return re.sub(r"\s+", " ", text).strip()


def sentences(block: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(normalise(block)) if s.strip()]


def is_candidate(sentence: str) -> bool:
    return bool(CLAIM_WORDS.search(sentence))


# --------------------------------------------------------------------------- readers


def _gettext_blocks(path: Path) -> list[str]:
    return [ast.literal_eval(m.group(1)) for m in _GETTEXT.finditer(path.read_text(encoding="utf-8"))]


def _jinja_expression(match: re.Match[str]) -> str:
    return "{" + re.sub(r"\s+", " ", match.group(1).strip()) + "}"


def _html_blocks(path: Path, sections: tuple[str, ...] = ()) -> list[str]:
    """The text of a template: inline tags dropped, other tags and Jinja statements as breaks.

    With ``sections``, only the ``<section aria-labelledby="...">`` elements named.
    """
    src = path.read_text(encoding="utf-8")
    if sections:
        found = re.findall(r'<section[^>]*aria-labelledby="([\w-]+)"[^>]*>(.*?)</section>', src, flags=re.S)
        src = "\n\n".join(body for name, body in found if name in sections)
    src = re.sub(r"\{#.*?#\}", "\n\n", src, flags=re.S)
    src = re.sub(r"\{%-?.*?-?%\}", "\n\n", src, flags=re.S)
    src = re.sub(r"\{\{-?(.*?)-?\}\}", _jinja_expression, src, flags=re.S)
    src = re.sub(rf"</?(?:{_INLINE_TAGS})\b[^>]*>", "", src, flags=re.I)
    src = re.sub(r"<[^>]+>", "\n\n", src)
    return [html.unescape(b) for b in re.split(r"\n\s*\n", src) if b.strip()]


def _pack_blocks(path: Path) -> list[str]:
    pack = yaml.safe_load(path.read_text(encoding="utf-8"))
    blocks = [str(pack.get("description") or "")]
    for part in ("opening", "per_use_case", "closing"):
        for step in pack.get(part) or []:
            blocks += [str(step[key]) for key in ("title", "text", "question", "notes") if step.get(key)]
    return [b for b in blocks if b.strip()]


def _safeguarding_blocks(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [b for b in re.split(r"\n\s*\n", str(data["participant_message"])) if b.strip()]


def _markdown_blocks(path: Path) -> list[str]:
    src = re.sub(r"```.*?```", "\n\n", path.read_text(encoding="utf-8"), flags=re.S)
    src = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", src)
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", src):
        # A bullet is its own block; table rows and headings are not prose.
        for item in re.split(r"\n(?=\s*[-*] |\s*\d+\. )", chunk):
            item = item.strip()
            if not item or item.startswith(("|", "#")):
                continue
            blocks.append(re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", item))
    return blocks


def sources() -> dict[str, list[str]]:
    """Every place the product speaks, as ``{path: [blocks of text]}``."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "templates" / "participant").glob("*.html")):
        found[_rel(path)] = _gettext_blocks(path)
    # The report's sections about who took part, how it was run (anonymity, small groups,
    # taking answers back, keeping raw answers) and checking comments; the rest is results.
    report = "templates/exports/_report_body.html"
    found[report] = _html_blocks(ROOT / report, REPORT_SECTIONS)
    found["templates/assisted/paper.html"] = _html_blocks(ROOT / "templates" / "assisted" / "paper.html")
    for path in sorted((ROOT / "prompts" / "packs").glob("*.yaml")):
        found[_rel(path)] = _pack_blocks(path)
    found["prompts/safeguarding.yaml"] = _safeguarding_blocks(ROOT / "prompts" / "safeguarding.yaml")
    found["docs/privacy.md"] = _markdown_blocks(ROOT / "docs" / "privacy.md")
    return found


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    where: tuple[str, ...]
    tests: tuple[str, ...]
    gap: str = ""


@dataclass(frozen=True)
class Registry:
    claims: tuple[Claim, ...]
    ordinary: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load(path: Path = REGISTRY) -> Registry:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    claims = tuple(
        Claim(
            id=c["id"],
            text=normalise(c["text"]),
            where=tuple(c["where"]),
            tests=tuple(c["tests"]),
            gap=normalise(c.get("gap", "")),
        )
        for c in data.get("claim", [])
    )
    ordinary = {k: tuple(normalise(s) for s in v) for k, v in data.get("ordinary", {}).items()}
    return Registry(claims, ordinary)


def contains(blocks: list[str], text: str) -> bool:
    return any(text in normalise(b) for b in blocks)


def test_functions(path: Path) -> set[str]:
    """The test node names a file defines (``test_x`` and ``TestY::test_x``), without running it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names |= {
                f"{node.name}::{f.name}"
                for f in node.body
                if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name.startswith("test")
            }
    return names

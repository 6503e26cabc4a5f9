"""The prompt library: packs, use-case cards and safeguarding phrases read from ``prompts/``.

Reading files is this adapter's job; validation is the pure ``domain.packs``. The whole
library is validated when the app is built, and one bad file stops the app from starting.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .domain.packs import Card, Pack, PackError, parse_card, parse_pack


@dataclass(frozen=True)
class Library:
    packs: dict[str, Pack]
    cards: dict[str, Card]
    glossary: tuple[tuple[str, str], ...]
    safeguarding: dict[str, Any]

    @property
    def default_pack(self) -> Pack:
        for pack in self.packs.values():
            if pack.default:
                return pack
        return next(iter(self.packs.values()))


def _read_yaml(path: Path, root: Path) -> Any:
    name = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PackError(name, f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(name, f"cannot be read: {exc}") from None


def load_library(prompts_dir: str | Path) -> Library:
    """Read and validate every pack and card; raise PackError on the first bad file.

    The result is cached per process until a file in the folder changes (tests and several
    app instances in one process read the same files).
    """
    root = Path(prompts_dir).resolve()
    if not root.is_dir():
        raise PackError(str(root), "the prompts folder does not exist")
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in root.rglob("*.yaml")))
    return _load_library(root, stamp)


@lru_cache(maxsize=8)
def _load_library(root: Path, _stamp: tuple[tuple[str, int, int], ...]) -> Library:
    if not root.is_dir():
        raise PackError(str(root), "the prompts folder does not exist")

    def rel(p: Path) -> str:
        return str(p.relative_to(root.parent))

    packs: dict[str, Pack] = {}
    for path in sorted((root / "packs").glob("*.yaml")):
        pack = parse_pack(_read_yaml(path, root), rel(path))
        if pack.id != path.stem:
            raise PackError(rel(path), f"the id '{pack.id}' must match the file name '{path.stem}'", field="id")
        packs[pack.id] = pack
    if not packs:
        raise PackError(rel(root / "packs"), "holds no packs (*.yaml)")
    if sum(p.default for p in packs.values()) > 1:
        raise PackError(rel(root / "packs"), "more than one pack says default: true", field="default")
    cards: dict[str, Card] = {}
    for path in sorted((root / "cards").glob("*.yaml")):
        card = parse_card(_read_yaml(path, root), rel(path))
        if card.id != path.stem:
            raise PackError(rel(path), f"the id '{card.id}' must match the file name '{path.stem}'", field="id")
        cards[card.id] = card
    glossary: tuple[tuple[str, str], ...] = ()
    gpath = root / "glossary.yaml"
    if gpath.exists():
        data = _read_yaml(gpath, root)
        terms = data.get("terms") if isinstance(data, dict) else None
        if not isinstance(terms, list) or not all(
            isinstance(t, dict) and isinstance(t.get("term"), str) and isinstance(t.get("meaning"), str) for t in terms
        ):
            raise PackError(rel(gpath), "must hold 'terms': a list of entries with a term and a meaning", field="terms")
        glossary = tuple((t["term"], t["meaning"]) for t in terms)
    safeguarding: dict[str, Any] = {}
    spath = root / "safeguarding.yaml"
    if spath.exists():
        data = _read_yaml(spath, root)
        if not isinstance(data, dict):
            raise PackError(rel(spath), "must hold a mapping")
        safeguarding = data
    return Library(packs, cards, glossary, safeguarding)

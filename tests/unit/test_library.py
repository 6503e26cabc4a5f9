"""The shipped prompt library loads, and one bad file stops the app with a plain message."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from workshop import create_app
from workshop.config import TestConfig
from workshop.domain.packs import PackError
from workshop.library import load_library

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = ROOT / "prompts"


def test_shipped_library_loads() -> None:
    library = load_library(PROMPTS)
    assert set(library.packs) == {p.stem for p in (PROMPTS / "packs").glob("*.yaml")}
    assert set(library.cards) == {p.stem for p in (PROMPTS / "cards").glob("*.yaml")}
    assert len(library.cards) == 6
    assert library.default_pack.id == "three-tier"
    assert sum(p.default for p in library.packs.values()) == 1
    assert library.glossary and all(term and meaning for term, meaning in library.glossary)
    for pack in library.packs.values():
        assert pack.per_use_case, pack.id
        assert any(s.kind == "card" for s in pack.per_use_case), f"{pack.id} never shows the card"


def _app(prompts: Path) -> Any:
    settings = TestConfig.from_env()
    settings.update({"PROMPTS_DIR": str(prompts), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return create_app(settings)


def test_app_builds_from_a_copy_of_the_library(tmp_path: Path) -> None:
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    app = _app(tmp_path / "prompts")
    assert set(app.extensions["cg_library"].cards) == set(load_library(PROMPTS).cards)


def _edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _step(data: Any, step_id: str) -> dict[str, Any]:
    for section in ("opening", "per_use_case", "closing"):
        for step in data.get(section) or []:
            if step["id"] == step_id:
                return step  # type: ignore[no-any-return]
    raise AssertionError(step_id)


# (file, how to break it, the step and field the message must name)
BREAKAGES: list[tuple[str, Callable[[Path], None], str | None, str | None]] = [
    (
        "packs/three-tier.yaml",
        lambda p: _edit_yaml(p, lambda d: _step(d, "position").pop("question")),
        "position",
        "question",
    ),
    (
        "packs/three-tier.yaml",
        lambda p: _edit_yaml(p, lambda d: _step(d, "should-worry").update(labels=["a", "b"])),
        "should-worry",
        "labels",
    ),
    (
        "packs/three-tier.yaml",
        lambda p: _edit_yaml(p, lambda d: _step(d, "welcome").update(colour="red")),
        "welcome",
        "colour",
    ),
    (
        "packs/three-tier.yaml",
        lambda p: _edit_yaml(p, lambda d: _step(d, "next-steps").update(kind="poll")),
        "next-steps",
        "kind",
    ),
    (
        "packs/three-tier.yaml",
        lambda p: _edit_yaml(p, lambda d: _step(d, "right-lifecycle").update(type="ranking")),
        "right-lifecycle",
        "type",
    ),
    (
        "packs/consequence-scanning.yaml",
        lambda p: _edit_yaml(p, lambda d: _step(d, "intended").update(title=42)),
        "intended",
        "title",
    ),
    ("packs/three-tier.yaml", lambda p: _edit_yaml(p, lambda d: d.update(version=0)), None, "version"),
    ("packs/three-tier.yaml", lambda p: _edit_yaml(p, lambda d: d.update(id="another-id")), None, "id"),
    ("cards/front-door-triage.yaml", lambda p: _edit_yaml(p, lambda d: d.pop("summary")), None, "summary"),
    ("cards/demand-forecast.yaml", lambda p: _edit_yaml(p, lambda d: d.update(who_sees="")), None, "who_sees"),
    ("packs/three-tier.yaml", lambda p: p.write_text("id: three-tier\nopening: [\n", encoding="utf-8"), None, None),
]


@pytest.mark.parametrize(
    ("file", "breaker", "step", "field"), BREAKAGES, ids=[f"{f}:{s or '-'}:{fl or 'yaml'}" for f, _, s, fl in BREAKAGES]
)
def test_a_bad_file_stops_the_app_and_says_where(
    tmp_path: Path, file: str, breaker: Callable[[Path], None], step: str | None, field: str | None
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS, prompts)
    breaker(prompts / file)
    with pytest.raises(PackError) as caught:
        _app(prompts)
    error = caught.value
    message = str(error)
    assert error.file == f"prompts/{file}"
    assert message.startswith(f"file prompts/{file}")
    if step:
        assert error.step and step in error.step
        assert f"step '{step}'" in message
    if field:
        assert error.field == field
        assert f"field '{field}'" in message
    else:
        assert "is not valid YAML (line" in message
    # Plain: one line, a sentence of words, no code or stack trace.
    assert "\n" not in message and "Traceback" not in message and "<class" not in message
    assert len(message) < 300
    assert error.detail and error.detail[0].islower()


def test_a_missing_prompts_folder_stops_the_app(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="the prompts folder does not exist"):
        _app(tmp_path / "nowhere")


def test_two_default_packs_stop_the_app(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS, prompts)
    _edit_yaml(prompts / "packs" / "before-after.yaml", lambda d: d.update(default=True))
    with pytest.raises(PackError, match="more than one pack says default: true"):
        _app(prompts)

"""Packaging a Python developer expects: pinned, hashed locks and a wheel that serves the demo.

``pip install .`` must carry the templates, static files and packs inside the package; the
installed copy then runs the demo from any folder, with no checkout beside it.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import sysconfig
import threading
import time
import tomllib
from pathlib import Path

import pytest

from tests.support import free_port, get, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _pins(path: Path) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` line of a requirements file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\#]+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_pyproject_lists_the_same_runtime_pins_as_requirements_in() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = {}
    for dep in project["dependencies"]:
        name, version = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(.+)$", dep).groups()
        listed[name.lower().replace("_", "-")] = version
    assert listed == _pins(ROOT / "requirements.in")
    assert project["requires-python"] == ">=3.11"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-test.txt"])
def test_every_locked_package_is_pinned_with_hashes(lock: str) -> None:
    text = (ROOT / lock).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    packages = [b for b in blocks if re.match(r"^[A-Za-z0-9]", b)]
    assert len(packages) > 30
    for block in packages:
        assert re.match(r"^[A-Za-z0-9_.-]+==\S+ \\", block), f"not pinned: {block.splitlines()[0]}"
        assert "--hash=sha256:" in block, f"no hash: {block.splitlines()[0]}"
    assert "file://" not in text and "--find-links" not in text, "a lock must not name this machine's folders"


def test_locks_agree_and_cover_every_direct_dependency() -> None:
    runtime, test = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-test.txt")
    assert {k: test.get(k) for k in runtime} == runtime, "the test lock must install the same runtime versions"
    for source, lock in (("requirements.in", runtime), ("requirements-test.in", test)):
        for name, version in _pins(ROOT / source).items():
            assert lock.get(name) == version, f"{name}=={version} from {source} is not in its lock"


def _answer(url: str) -> tuple[int, bytes] | None:
    try:
        return get(url)
    except OSError:
        return None


@pytest.mark.slow
def test_the_built_wheel_serves_the_demo_without_a_checkout(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("common_ground-*.whl")
    # A temporary venv with the wheel installed by pip (console script included); the
    # dependencies come from this test run's environment through a .pth file, so nothing is
    # downloaded and only our package is new.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (site / "workshop" / "_assets" / "templates" / "base.html").is_file()
    assert (site / "workshop" / "_assets" / "prompts").is_dir()
    assert (site / "workshop" / "migrations" / "env.py").is_file()
    assert (venv / "bin" / "common-ground").is_file()

    here = tmp_path / "elsewhere"
    here.mkdir()
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("WORKSHOP_")
    }
    env.update(PYTHONUNBUFFERED="1", PYTHONSAFEPATH="1")
    where = subprocess.run(
        [str(python), "-c", "import workshop; print(workshop.__file__)"],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr

    port = free_port()
    proc = subprocess.Popen(
        [str(venv / "bin" / "common-ground"), "--port", str(port)],
        cwd=here,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or ()], daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not any("Press Ctrl+C" in line for line in seen):
            assert time.monotonic() < deadline, "the installed app did not start:\n" + "".join(seen)
            try:
                seen.append(lines.get(timeout=1.0))
            except queue.Empty:
                assert proc.poll() is None, "the installed app stopped:\n" + "".join(seen)
        code = re.search(r"/j/([A-Z0-9]+)", "".join(seen)).group(1)
        base = f"http://127.0.0.1:{port}"
        status, body = wait_until(lambda: _answer(base + "/healthz"), 60, "the installed app answers /healthz")
        assert status == 200 and b"ok" in body
        status, body = get(base + "/login")
        assert status == 200 and b"<form" in body
        status, body = get(base + "/static/css/commonground.min.css")
        assert status == 200 and len(body) > 1000
        status, body = get(f"{base}/j/{code}")
        assert status == 200 and b"<form" in body
        # Writable files went to instance/ in the folder it was started from, not into the package.
        assert (here / "instance" / "secret_key").is_file()
        assert not (site / "workshop" / "_assets" / "instance").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

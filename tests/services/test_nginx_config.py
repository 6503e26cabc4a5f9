"""The sample nginx configuration in docs/ is valid: ``nginx -t`` accepts it as documented.

docs/nginx.conf is an http-context file (it goes in /etc/nginx/conf.d/). The test wraps a
copy in a minimal main configuration with its own prefix, logs and pid file, points the
certificate paths at a throwaway self-signed certificate, and runs ``nginx -t``. Without
nginx (or openssl) it skips, except in CI (``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "nginx.conf"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _tool(name: str, fallback: str) -> str:
    found = shutil.which(name) or (fallback if Path(fallback).exists() else None)
    if found is None:
        message = f"{name} is not installed (apt-get install -y nginx-light openssl)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            _tool("openssl", "/usr/bin/openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=workshop.example.org",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_sample_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _tool("nginx", "/usr/sbin/nginx")
    cert, key = _self_signed(tmp_path)
    text = SAMPLE.read_text(encoding="utf-8")
    text = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", text)
    text = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", text)
    site = tmp_path / "common-ground.conf"
    site.write_text(text, encoding="utf-8")
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
""",
        encoding="utf-8",
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_sample_nginx_config_is_sticky_and_passes_websockets() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    active = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    # Sticky per browser, not per address: a room of phones on one Wi-Fi shares one address.
    assert re.search(r"upstream common_ground\s*\{[^}]*hash \$cg_route consistent;", active)
    assert "ip_hash" not in active
    assert len(re.findall(r"^\s*server 127\.0\.0\.1:\d+", active, flags=re.M)) >= 2
    socket_block = active[active.index("location /socket.io/") :]
    for directive in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
    ):
        assert directive in socket_block, directive
    read_timeout = re.search(r"proxy_read_timeout (\d+)s;", socket_block)
    assert read_timeout and int(read_timeout.group(1)) > 25 + 20, "must outlast the Socket.IO ping interval + timeout"

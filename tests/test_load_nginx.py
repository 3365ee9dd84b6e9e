"""The deployment recipe for real: 2 replicas behind Debian's nginx (deploy/nginx.conf as
rendered by deploy/local.py), with the load client going through nginx.

Asserts no errors, every session answered, and no session mixed up: each session sees its
own input value, and the images its page shows (kept in one replica's memory) are served
to it, which needs sticky sessions. A control run with the upstream's sticky hash removed
must fail that check, so the check can see mixing. Throughput is compared in bench/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import local  # noqa: E402

load = local.load

pytestmark = pytest.mark.skipif(
    local.nginx_binary() is None, reason="nginx is not installed (Debian: apt-get install nginx; .ci/run does)")

ARGS = ["--sessions", "6", "--duration", "6", "--isolation", "--timeout", "120", "--json",
        "--pages", "filter_lab,layer_arithmetic,home"]


def test_two_replicas_behind_nginx_keep_every_session_whole() -> None:
    with local.cluster(2) as c:
        result = load.main(["--url", c["url"], *ARGS])
    assert result["errors"] == 0, result["error_samples"]
    assert result["sessions_with_replies"] == 6
    assert result["isolation_checks"] >= 12  # own values and own images, per session


def test_the_check_sees_a_proxy_without_sticky_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    render = local.render_conf
    monkeypatch.setattr(local, "render_conf", lambda *a: render(*a).replace("hash $convviz_key consistent;", ""))
    with local.cluster(2) as c:
        result = load.main(["--url", c["url"], *ARGS])
    assert any("not sticky" in e for e in result["error_samples"]), result

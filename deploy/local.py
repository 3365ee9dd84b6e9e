"""Run the deployment recipe on loopback: N ConvViz replicas behind Debian's nginx.

Renders deploy/nginx.conf for local ports (only the upstream's servers, the listen
address and nginx's own file paths change; the sticky-session and websocket settings are
used as written), starts the replicas (``streamlit run`` of this checkout) and nginx, and
stops them all on exit. Used by tests/test_load_nginx.py and by hand:

    python deploy/local.py --replicas 2 --port 8080        # Ctrl-C stops everything
    python bench/load.py --url http://127.0.0.1:8080 --sessions 40 --isolation
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import load  # noqa: E402

NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    """Debian's nginx (``apt-get install nginx``), if installed."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


def render_conf(backend_ports: list[int], listen_port: int, prefix: Path) -> str:
    """deploy/nginx.conf with loopback replicas, a loopback listen port and files in ``prefix``."""
    conf = NGINX_CONF.read_text()
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;\n" for p in backend_ports)
    conf, n = re.subn(r"(        server convviz\d+:8501[^\n]*\n)+", servers, conf)
    if n != 1:
        raise ValueError("deploy/nginx.conf: the upstream's server lines were not found")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    conf = conf.replace("worker_processes auto;", "worker_processes 1;\n"
                        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;")
    paths = "".join(f"    {name}_temp_path {prefix}/{name};\n"
                    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return conf.replace("http {\n", f"http {{\n    access_log off;\n{paths}", 1)


def wait_http(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > end:
                raise RuntimeError(f"{url} did not answer within {seconds} s") from None
            time.sleep(0.1)


@contextlib.contextmanager
def cluster(replicas: int, port: int | None = None, env: dict[str, str] | None = None) -> Iterator[dict]:
    """Start ``replicas`` servers and nginx; yields {"url", "pids", "nginx_pid"}; stops all."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="convviz-nginx-") as tmp:
        prefix = Path(tmp)
        try:
            ports = [load.free_port() for _ in range(replicas)]
            procs = [load.spawn_server(p, ROOT, env=env) for p in ports]
            listen = port or load.free_port()
            (prefix / "nginx.conf").write_text(render_conf(ports, listen, prefix))
            web = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                    "-e", str(prefix / "error.log"), "-g", "daemon off;"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            procs.append(web)
            url = f"http://127.0.0.1:{listen}"
            try:
                wait_http(url + "/_stcore/health", 20)
            except RuntimeError:
                web.kill()
                raise RuntimeError(f"nginx did not start: {web.communicate()[1].decode()[-500:]}") from None
            yield {"url": url, "pids": [p.pid for p in procs[:-1]], "nginx_pid": web.pid}
        finally:
            for proc in reversed(procs):
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    with cluster(args.replicas, args.port) as c:
        print(f"{args.replicas} replicas (pids {c['pids']}) behind nginx at {c['url']}; Ctrl-C stops")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()

"""The chart renderer under the real gunicorn, as production runs it: forked beside the workers,
it draws the demo's charts ahead; killed, it is started again; and it ends with the server."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assess.charts.renderer import RENDERER_NAME, SUPERVISOR_NAME
from tests.conftest import AUDIT_KEY

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def alive(pid: int) -> bool:
    """Running, not ended and waiting to be reaped."""
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def descendants(pid: int) -> dict[int, str]:
    """Every live process below `pid`, by pid, with the name `ps` shows."""
    found, queue = {}, [pid]
    while queue:
        children = Path(f"/proc/{queue.pop()}/task")
        for task in children.iterdir() if children.exists() else []:
            for child in map(int, (task / "children").read_text().split()):
                queue.append(child)
                if alive(child):
                    found[child] = Path(f"/proc/{child}/comm").read_text().strip()
    return found


def wait_for(check, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    pytest.fail(f"still waiting after {seconds} s for {check.__doc__}")


def drawn(instance: Path) -> int:
    with sqlite3.connect(instance / "charts.db") as db:
        return db.execute("SELECT count(*) FROM drawn").fetchone()[0]


@pytest.fixture
def server(instance):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "ASSESS_INSTANCE": str(instance),
        "ASSESS_SECRET_KEY": "renderer-tests",
        "ASSESS_AUDIT_KEY": AUDIT_KEY,
        "ASSESS_ENV": "production",
        "ASSESS_BIND": f"127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [str(GUNICORN), "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_gunicorn_runs_one_renderer_that_draws_ahead_restarts_and_stops_with_it(server, instance):
    def renderer():
        """a renderer below the supervisor"""
        names = descendants(server.pid)
        return next((pid for pid, name in names.items() if name == RENDERER_NAME), None)

    first = wait_for(renderer)
    names = descendants(server.pid)
    assert list(names.values()).count(SUPERVISOR_NAME) == 1
    assert list(names.values()).count(RENDERER_NAME) == 1

    def some_drawn():
        """charts drawn ahead with no page viewed"""
        return (instance / "charts.db").exists() and drawn(instance) >= 4

    wait_for(some_drawn)

    os.kill(first, signal.SIGKILL)  # a crash: the supervisor starts another

    def another():
        """a new renderer after the first was killed"""
        found = renderer()
        return found if found not in (None, first) else None

    second = wait_for(another, seconds=30)
    names = descendants(server.pid)
    supervisor = next(pid for pid, name in names.items() if name == SUPERVISOR_NAME)

    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    time.sleep(1)
    assert not alive(second) and not alive(supervisor), "the renderer outlived the server"

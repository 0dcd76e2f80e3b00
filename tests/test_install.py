"""The README's first command, as a user runs it: `pip install .` into a fresh virtualenv, then the demo on SQLite.

This proves templates, static files, translations and migrations are package data, and that the demo loads twice
without duplicating anything.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin/pip"), "install", "-q", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    return venv


def user_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESOCENTRE_", "DJANGO_"))}
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.install
def test_pip_installed_demo_loads_twice_and_serves_the_portal(installed, tmp_path):
    mesocentre = str(installed / "bin/mesocentre")
    for _ in range(2):
        run = subprocess.run(
            [mesocentre, "demo", "--no-serve"],
            cwd=tmp_path,
            env=user_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, run.stderr[-3000:]
    database = tmp_path / "mesocentre.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from tenancy_establishment").fetchone()[0] == 8
        assert db.execute("select count(*) from capacity_host").fetchone()[0] == 9
        assert db.execute("select count(*) from catalogue_offering where code='cloud-vm'").fetchone()[0] == 1

    quote = subprocess.run(
        [
            mesocentre,
            "quote",
            "cloud-vm",
            "--tier",
            "gold",
            "--vcpu",
            "2",
            "--ram-gb",
            "4",
            "--disk-gb",
            "50",
            "--json",
        ],
        cwd=tmp_path,
        env=user_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert '"total_ttc": "484.00"' in quote.stdout

    port = free_port()
    server = subprocess.Popen(
        [mesocentre, "demo", "--addr", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=user_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/healthz")
        french = urllib.request.Request(base + "/billing/calculator/", headers={"Accept-Language": "fr"})
        page = urllib.request.urlopen(french, timeout=10).read().decode()
        assert 'lang="fr"' in page and "Calculette" in page  # the compiled French catalogue is package data
        css = urllib.request.urlopen(base + "/static/portal/mesocentre.css", timeout=10)
        assert css.status == 200
        script = urllib.request.urlopen(base + "/static/billing/calculator.js", timeout=10)
        assert b"The cost calculator" in script.read()
        chartjs = urllib.request.urlopen(base + "/static/metering/vendor/chartjs/chart.umd.min.js", timeout=10)
        assert b"Chart.js v4" in chartjs.read(300)  # the vendored library is package data too
        icon = urllib.request.urlopen(base + "/favicon.ico", timeout=10)  # redirected to the SVG
        assert icon.url.endswith("/static/portal/favicon.svg") and icon.read().startswith(b"<svg")
        # The demo serves without DEBUG: a page that does not exist is the portal's 404, not Django's URL list.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page/", timeout=10)
        body = missing.value.read().decode()
        assert missing.value.code == 404 and "Using the URLconf" not in body and 'lang="en"' in body
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)

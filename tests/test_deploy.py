"""Production settings: `check --deploy` is clean, and secrets come only from the environment."""

import os
import subprocess
import sys


def run_check(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MESOCENTRE_", "DJANGO_"))}
    base.update(DJANGO_SETTINGS_MODULE="mesocentre.settings_production", **env)
    return subprocess.run(
        [sys.executable, "-m", "mesocentre.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=base,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_check(
        MESOCENTRE_SECRET_KEY="k" * 20 + "x9!Qz" * 8,
        MESOCENTRE_DATABASE_URL="postgresql://u@db/mesocentre",
        MESOCENTRE_ALLOWED_HOSTS="mesocentre.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(MESOCENTRE_DATABASE_URL="postgresql://u@db/mesocentre")
    assert result.returncode != 0
    assert "MESOCENTRE_SECRET_KEY" in result.stderr


def test_collectstatic_with_production_settings_gathers_the_vendored_chart_library(tmp_path):
    """The static files a production server gets from collectstatic (WhiteNoise compresses them; no finders)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MESOCENTRE_", "DJANGO_"))}
    base.update(
        DJANGO_SETTINGS_MODULE="mesocentre.settings_production",
        MESOCENTRE_SECRET_KEY="k" * 20 + "x9!Qz" * 8,
        MESOCENTRE_DATABASE_URL="postgresql://u@db/mesocentre",
        MESOCENTRE_STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "mesocentre.cli", "collectstatic", "--noinput"],
        capture_output=True,
        text=True,
        env=base,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("metering/vendor/chartjs/chart.umd.min.js", "metering/usage_charts.js", "portal/favicon.svg"):
        assert (tmp_path / "static" / name).is_file(), name
        assert (tmp_path / "static" / f"{name}.gz").is_file(), f"{name} is not compressed"

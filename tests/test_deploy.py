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

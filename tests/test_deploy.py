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


PRODUCTION = {
    "MESOCENTRE_SECRET_KEY": "k" * 20 + "x9!Qz" * 8,
    "MESOCENTRE_DATABASE_URL": "postgresql://u@db/mesocentre",
    "MESOCENTRE_ALLOWED_HOSTS": "mesocentre.example.org",
}


def test_production_metrics_settings_keep_check_deploy_clean_and_list_nobody_by_default():
    result = run_check(
        **PRODUCTION, MESOCENTRE_METRICS_ALLOWED="10.0.0.0/8, 2001:db8::1", MESOCENTRE_METRICS_TOKEN="t" * 40
    )
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MESOCENTRE_", "DJANGO_"))}
    shown = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.MESOCENTRE['METRICS_ALLOWED'])"],
        capture_output=True,
        text=True,
        env={**base, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "mesocentre.settings_production"},
    )
    assert shown.stdout.strip() == "[]", shown.stderr  # the demo's loopback is not production's default


def test_production_refuses_a_metrics_network_it_cannot_read_or_a_short_token():
    bad_network = run_check(**PRODUCTION, MESOCENTRE_METRICS_ALLOWED="10.0.0.0/8,prometheus.internal")
    assert bad_network.returncode != 0 and "MESOCENTRE_METRICS_ALLOWED" in bad_network.stderr
    short_token = run_check(**PRODUCTION, MESOCENTRE_METRICS_TOKEN="secret")
    assert short_token.returncode != 0 and "MESOCENTRE_METRICS_TOKEN" in short_token.stderr


def test_production_keeps_database_connections_a_minute_unless_told():
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MESOCENTRE_", "DJANGO_"))}
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    env = {**base, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "mesocentre.settings_production"}
    shown = [
        subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], capture_output=True,
                       text=True, env={**env, **extra}).stdout.strip()
        for extra in ({}, {"MESOCENTRE_DB_CONN_MAX_AGE": "0"}, {"MESOCENTRE_DB_CONN_MAX_AGE": "600"})
    ]  # fmt: skip
    assert shown == ["60 True", "0 True", "600 True"]

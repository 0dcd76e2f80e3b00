"""MESOCENTRE_CLUSTER_CORES: cluster=cores pairs; a typo stops the start-up, naming the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from mesocentre.settings import env_cores


def test_pairs_are_read(monkeypatch):
    monkeypatch.setenv("MESOCENTRE_CLUSTER_CORES", " mesocentre=13464 , gpu=1000")
    assert env_cores("MESOCENTRE_CLUSTER_CORES") == {"mesocentre": 13464, "gpu": 1000}
    monkeypatch.delenv("MESOCENTRE_CLUSTER_CORES")
    assert env_cores("MESOCENTRE_CLUSTER_CORES", "mesocentre=13464") == {"mesocentre": 13464}


@pytest.mark.parametrize(
    "value", ["mesocentre", "mesocentre=", "=12", "mesocentre=0", "mesocentre=1.5", "a=-3", "a=\u0663"]
)
def test_a_typo_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("MESOCENTRE_CLUSTER_CORES", value)
    with pytest.raises(ImproperlyConfigured, match="MESOCENTRE_CLUSTER_CORES"):
        env_cores("MESOCENTRE_CLUSTER_CORES")

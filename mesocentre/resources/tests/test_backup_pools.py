"""The backup pools from the database: the engine's rule capacity:backup:<site>, refused at order time in its words."""

import pytest
from django.core.exceptions import ValidationError

from mesocentre.capacity.models import Site
from mesocentre.resources import orders, placements
from mesocentre.resources.tests.test_views import VM


def test_a_silver_vm_whose_backups_no_pool_can_take_is_refused_in_the_rules_words(shop):
    Site.objects.update(backup_gb=40)  # each pool holds less than the VM's 50 GB disk
    with pytest.raises(ValidationError) as refused:
        orders.place(shop.w.pi, shop.w.project, "create", plan=shop.silver, quantities=VM, name="web")
    texts = refused.value.message_dict["quantities"]
    assert len(texts) == 2 and all("that backup pool has 40 GB of disk free, the VM needs 50 GB" in t for t in texts)
    # A bronze VM keeps no backups: it is placed.
    assert placements.answer("bronze", {"vcpu": 2, "ram_gb": 4, "disk_gb": 50})["feasible"]
    # Room on site 1's pool only: the primary goes to site 2, its backups to site 1.
    Site.objects.filter(code="site1").update(backup_gb=50)
    result = placements.answer("silver", {"vcpu": 2, "ram_gb": 4, "disk_gb": 50})
    assert result["placement"]["host"].startswith("site2-") and result["backup_site"] == "site1"

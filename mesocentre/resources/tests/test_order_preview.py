"""The order form shows the assistant's certified answer before the order is sent: where a VM of the sizes entered
would run, or the minimal rules that forbid it, in words; on the resize form too."""

import re

from django.urls import reverse
from django.utils.html import escape

from mesocentre.resources import placements
from mesocentre.resources.models import Order, Placement
from mesocentre.resources.tests.test_views import VM, body, client_of, held


def _answer(response) -> str:
    return re.search(r'(?s)<div id="order-placement">.*?</div>\s*$', body(response).split("</section>")[0]).group(0)


def _form(shop, **sizes) -> dict:
    w = shop.w
    return {"project": w.project.pk, "plan": shop.gold.pk, "name": "web", **VM, **sizes, "preview": "1"}


def test_the_preview_says_where_a_gold_vm_would_run(shop):
    url = reverse("resources:order_new") + f"?plan={shop.gold.pk}"
    preview = client_of(shop.w.student).post(url, _form(shop))
    assert preview.status_code == 200
    answer = _answer(preview)
    # The sites by name (the hosts are the operators'): its standby and its backups on the site its primary is not.
    where = re.search(
        r"it would run on (.*?)\. Its standby would be on (.*?)\. Its backups would be kept on (.*?)\.", answer
    )
    sites = {"Site 1 (main)", "Site 2 (disaster recovery)"}
    assert where and {where[1], where[2]} == sites and where[3] == where[2]
    assert "order-estimate" in body(preview)  # the estimate beside it
    assert not Order.objects.exists() and not Placement.objects.exists()  # a preview writes nothing


def test_the_preview_of_too_large_a_vm_gives_the_minimal_explanation(shop):
    url = reverse("resources:order_new") + f"?plan={shop.gold.pk}"
    preview = client_of(shop.w.student).post(url, _form(shop, ram_gb="400"))
    # The calculator refuses the size on its field (more than the largest host); the assistant says why, by its rules.
    assert preview.status_code == 400 and 'id="id_ram_gb_error"' in body(preview)
    answer = _answer(preview)
    assert 'id="placement-refusal"' in answer and "No host can take this VM now" in answer
    items = re.findall(r"<li>(.*?)</li>", answer)
    # Each host has 333 GB of RAM: the assistant's minimal rules (certified), each in words with its figures.
    expected = placements.answer("gold", {"vcpu": 2, "ram_gb": 400, "disk_gb": 50})["explanation"]
    assert items == [escape(item["text"]) for item in expected] and len(items) == 2
    assert "the most free on one host is 333 GB of RAM" in items[0] and "the VM needs 400 GB of RAM" in items[0]
    assert not Order.objects.exists()


def test_the_resize_form_previews_the_new_size_where_the_vm_is(shop):
    resource = held(shop)  # bronze, not placed: placed anew at its new size
    url = reverse("resources:resource_change", args=[resource.pk])
    client = client_of(shop.w.pi)
    fits = client.post(url, {"plan": shop.silver.pk, **VM, "vcpu": "8", "preview": "1"})
    assert fits.status_code == 200 and "The VM fits now: it would run on Site" in _answer(fits)
    too_big = client.post(url, {"plan": shop.bronze.pk, **VM, "vcpu": "200", "preview": "1"})
    assert "the VM needs 200 vCPU" in _answer(too_big)
    assert not Order.objects.exists()


def test_no_answer_is_shown_for_another_offering(shop):
    w = shop.w
    url = reverse("resources:order_new") + f"?plan={shop.storage.pk}"
    form = {"project": w.project.pk, "plan": shop.storage.pk, "name": "data", "storage_gb": "100", "preview": "1"}
    preview = client_of(w.pi).post(url, form)
    assert preview.status_code == 200 and 'id="order-placement"' not in body(preview)

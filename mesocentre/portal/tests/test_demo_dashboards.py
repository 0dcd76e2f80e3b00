"""The demo's people find their sections on the home page (the demo counts from today, whatever today is)."""

import re

from django.urls import reverse

from mesocentre.tenancy.models import User


def home(client, username: str) -> str:
    client.force_login(User.objects.get(username=username))
    return client.get(reverse("portal:home")).content.decode()


def test_the_demo_pis_figures(client, demo):
    body = home(client, "pi-irit")
    row = re.search(r'<tr data-project="irit-hybrid-ai">.*?</tr>', body, re.S).group(0)
    assert "525,000 of 1,500,000" in row and "7,476 of 15,000" in row  # 7 500 in whole hours a day
    assert "lpt-lattice" not in body and 'id="dashboard-operations"' not in body


def test_a_demo_pi_without_a_request_in_the_open_round_is_offered_one(client, demo):
    body = home(client, "pi-imft")
    assert reverse("hpc:request_create", args=["imft-jets"]) in body
    # Granted 9 000 000, plus the 1 000 000 of the approved change request.
    assert "of 10,000,000" in re.search(r'<tr data-project="imft-jets">.*?</tr>', body, re.S).group(0)


def test_the_demo_operator_and_reviewer(client, demo):
    desk = home(client, "operator")
    assert re.search(r'data-state="pending">.*?<td class="num">[1-9]', desk, re.S)
    assert "No Slurm cluster named <code>mesocentre</code> is configured" in desk
    reviews = home(client, "reviewer-isae")
    assert reviews.count('/review/"') == 1 and "lpt-lattice" in reviews

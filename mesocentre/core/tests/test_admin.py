"""The Django admin is the operators' tool and nobody else's."""


def test_operators_edit_the_catalogue_in_the_admin(demo, client, user_factory):
    operator = user_factory("op", is_operator=True)
    assert operator.is_staff  # being an operator opens the admin
    client.force_login(operator)
    assert client.get("/admin/catalogue/price/").status_code == 200
    assert client.get("/admin/tenancy/establishment/").status_code == 200
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


def test_staff_who_are_not_operators_see_nothing(demo, client, user_factory):
    clerk = user_factory("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/catalogue/price/").status_code == 403
    researcher = user_factory("researcher")
    client.force_login(researcher)
    assert client.get("/admin/").status_code == 302

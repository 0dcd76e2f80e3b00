def test_healthz_reports_database_and_queue_depth(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok" and isinstance(data["queue_depth"], int)


def test_prometheus_metrics_are_exposed(db, client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests_total_by_view_transport_method_total" in response.content


def test_api_schema_and_docs(db, client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/billing/quote/" in schema.content
    assert client.get("/api/docs/").status_code == 200

from mesocentre.core.notify import notify


def test_each_recipient_reads_the_message_in_their_language(
    db, smtp_server, user_factory, tmp_path, settings, deliver_mail
):
    template_dir = tmp_path / "templates"
    (template_dir / "t").mkdir(parents=True)
    (template_dir / "t" / "hello.txt").write_text(
        '{% load i18n %}{% translate "Log in" %}\n{% translate "Cost calculator" %} {{ user.username }}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    fr = user_factory("claire", email="claire@example.org", preferred_language="fr")
    en = user_factory("john", email="john@example.org", preferred_language="en")
    nobody = user_factory("ghost", email="")
    assert notify([fr, en, nobody, fr], "fallback", "t/hello.txt", {}) == 2
    assert smtp_server == [], "queued, delivered by the worker"
    assert deliver_mail() == 2
    by_recipient = {message["To"]: message for message in smtp_server}
    assert by_recipient["claire@example.org"]["Subject"] == "Se connecter"
    assert "Calculette des coûts claire" in by_recipient["claire@example.org"].get_payload(decode=True).decode()
    assert by_recipient["john@example.org"]["Subject"] == "Log in"

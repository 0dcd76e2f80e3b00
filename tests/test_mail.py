from django.core.mail import send_mail


def test_mail_goes_through_a_real_smtp_server(smtp_server):
    send_mail("Round open", "The spring round is open.", "mesocentre@example.org", ["pi@example.org"])
    assert len(smtp_server) == 1
    assert smtp_server[0]["Subject"] == "Round open" and smtp_server[0]["To"] == "pi@example.org"

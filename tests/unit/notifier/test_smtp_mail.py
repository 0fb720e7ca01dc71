"""The e-mail a delivery sends: what a mail client reads back is exactly the rendered message, with the
delivery's headers, in 7-bit clean lines that SMTP accepts."""

from __future__ import annotations

from email import message_from_bytes, policy

from notifier.adapters.channels import DELIVERY_HEADER, build_mail
from notifier.domain.model import DeliveryId, Message

DELIVERY = DeliveryId("rnd-1", "student", "stu_000123", "email")


def read_back(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def test_a_dutch_message_reads_back_exactly_with_its_headers():
    subject = "Je stageplek bij Zorggroep Noord-Oost in Groningen: geplaatst, reactie vóór 17 januari graag"
    body = ("Beste Sanne,\n\nJe bent geplaatst bij Zorggroep Noord (één van je wensen).\n"
            ". een regel die met een punt begint\n" + "lang " * 60 + "\nGroet,\nStagebureau\n")
    raw = build_mail("stagepool@stagepool.local", "sanne@mail.example", DELIVERY, Message(subject, body, "nl"))
    mail = read_back(raw)
    assert mail["Subject"] == subject
    assert (mail["From"], mail["To"]) == ("stagepool@stagepool.local", "sanne@mail.example")
    assert mail[DELIVERY_HEADER] == "rnd-1:student:stu_000123:email"
    assert mail["Content-Language"] == "nl"
    assert "rnd-1.student.stu_000123.email@stagepool.local" in mail["Message-ID"]
    assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
    assert mail.get_content().replace("\r\n", "\n") == body  # CRLF on the wire, as SMTP wants


def test_the_raw_message_is_7_bit_with_crlf_lines_of_smtp_length():
    raw = build_mail("stagepool@stagepool.local", "a@b.example", DELIVERY,
                     Message("Überblick über die Schüler", "Grüße " * 200 + "\n", "en"))
    assert raw.isascii()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in head.split(b"\r\n")) <= 998  # SMTP's limit (a long Message-ID)
    assert max(len(line) for line in body.split(b"\r\n")) <= 76  # quoted-printable's
    assert read_back(raw)["Subject"] == "Überblick über die Schüler"


def test_an_ascii_subject_stays_readable_in_the_raw_message():
    raw = build_mail("s@x.example", "a@b.example", DELIVERY, Message("Your placement", "Hi\n", "en"))
    assert b"Subject: Your placement\r\n" in raw and read_back(raw)["Content-Language"] == "en"

"""Linear time on any input (issue 9): hostile mail costs in proportion to its size, never its square.

Figures are CPU time (time.process_time) compared between sizes 10x apart: a linear scan takes
about 10x, a quadratic one 100x. No wall-clock limit is asserted.
"""

from __future__ import annotations

import gc
import time

import pytest

from refmail.domain.parse import parse_message
from tests.reading import understand
from refmail.domain.types import Identity, Kind, Person

OWNER = Identity(Person("Olivia Owner", "owner@example.com"), (), "assistant@example.com")
FLOOR = 0.02  # seconds: below this, timer noise, not growth
BOUNCE = ("From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: owner@example.com\r\n"
          "Subject: Mail delivery failed\r\n")
SHAPES = {
    "bounce": BOUNCE,
    "intro": "From: Alice Source <alice@example.org>\r\nTo: owner@example.com, carol@example.net\r\n"
             "Cc: assistant@example.com\r\nSubject: Intro: Olivia <> Carol\r\n",
    "reply": "From: Carol <carol@example.net>\r\nTo: owner@example.com\r\nIn-Reply-To: <a@b>\r\nSubject: Re: hi\r\n",
    "autoreply": "From: Carol <carol@example.net>\r\nTo: owner@example.com\r\nAuto-Submitted: auto-replied\r\n"
                 "Subject: Out of office\r\n",
}
# Runs that made a scan quadratic before: a long unbroken "word", dotted/dashed runs, blank lines, header-like lines.
# And the lines attributions and glued forward headers are read from: an address before the verb with text after
# it, a separator line gluing its fields with spaces between them.
UNITS = ["a", "a.", "a-", "_", "1", "12.", "=", "-", "\n", " \n", "From: a\n", "On a\n", "[a@", "<", "a@a.",
         "<a@a> wrote a\n", "-- Forwarded message -- From: a   À : a "]


def _cpu(raw: bytes) -> tuple[float, object]:
    """Best of three CPU readings, the garbage collector paused: in a long pytest run a full collection
    walks every object the earlier tests left behind, a cost of the heap, not of this message. One collection
    before the three readings: one before each made these tests twice as slow in the full suite."""
    best, verdict = float("inf"), None
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            verdict = understand(parse_message(raw), OWNER)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best, verdict


def _mail(head: str, body: str) -> bytes:
    return (head + "Message-ID: <hostile@example.org>\r\nContent-Type: text/plain\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    understand(parse_message(_mail(SHAPES["intro"], "Hi")), OWNER)  # spaCy loads once, outside the figures


@pytest.mark.timeout(120)
def test_a_2mb_single_line_fake_bounce_costs_ten_times_a_200kb_one_not_a_hundred():
    small, _ = _cpu(_mail(BOUNCE, "x" * 200_000))
    big, verdict = _cpu(_mail(BOUNCE, "x" * 2_000_000))
    assert big <= 15 * max(small, FLOOR), (small, big)
    assert verdict.kind is Kind.BOUNCE
    assert any("cut to its first" in r for r in verdict.reasons), verdict.reasons
    # and a fraction of the time of a 100-message baseline of ordinary mail
    tiny, _ = _cpu(_mail(BOUNCE, "Your message to carol@example.net could not be delivered."))
    assert big < max(200 * tiny, 1.0), (tiny, big)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_scan_over_the_body_grows_linearly(shape):
    slow = []
    for unit in UNITS:
        small, _ = _cpu(_mail(SHAPES[shape], unit * (10_000 // len(unit))))
        big, _ = _cpu(_mail(SHAPES[shape], unit * (100_000 // len(unit))))
        if big > 15 * max(small, FLOOR):
            slow.append((unit, round(small, 3), round(big, 3)))
    assert not slow, slow


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["addresses", "encoded names", "encoded subject"])
def test_headers_of_20000_addresses_or_encoded_words_grow_linearly_and_are_cut(kind):
    def mail(n: int) -> bytes:
        if kind == "addresses":
            header = "To: " + ",\r\n ".join(f"Person {i} <p{i}@example.net>" for i in range(n))
        elif kind == "encoded names":
            header = "To: " + ",\r\n ".join(f"=?utf-8?q?P=C3=A9rson_{i}?= <p{i}@example.net>" for i in range(n))
        else:
            header = "To: owner@example.com\r\nSubject: " + "\r\n ".join("=?utf-8?q?caf=C3=A9?=" for _ in range(n))
        return f"From: Alice <alice@example.org>\r\n{header}\r\nMessage-ID: <h@x>\r\n\r\nhello\r\n".encode()

    small, _ = _cpu(mail(2_000))
    big, verdict = _cpu(mail(20_000))
    assert big <= 15 * max(small, FLOOR), (small, big)
    if kind != "encoded subject":
        assert any("To header cut" in r for r in verdict.reasons), verdict.reasons


@pytest.mark.timeout(120)
def test_a_forwarded_block_of_names_without_addresses_grows_linearly():
    """Old Outlook's names-only "Cc: A; B; C" is matched against the addresses written below it: once per block."""
    def mail(n: int) -> bytes:
        names = "; ".join(f"Zed Qua{i}" for i in range(n))
        written = "\r\n".join(f"zed.qua{i}@x{i}.example" for i in range(n))
        body = (f"FYI\r\n\r\n-----Original Message-----\r\nFrom: Alice Source\r\nSent: Monday\r\nTo: Olivia\r\n"
                f"Cc: {names}\r\nSubject: Intro\r\n\r\n{written}")
        return _mail("From: Olivia Owner <owner@example.com>\r\nTo: assistant@example.com\r\nSubject: FW: Intro\r\n", body)

    small, _ = _cpu(mail(150))
    big, _ = _cpu(mail(1_500))
    assert big <= 15 * max(small, FLOOR), (small, big)


@pytest.mark.timeout(120)
def test_an_intro_copying_many_people_it_names_grows_linearly():
    """Who of those addressed is introduced: each person's cues come from one reading of the text, not a scan each."""
    def mail(n: int) -> bytes:
        cc = ",\r\n ".join(f"Person{i} Name{i} <p{i}@acme{i % 7}.example>" for i in range(n))
        body = "Olivia, meet Carol. Carol runs ops at Acme.\r\n" + " ".join(f"Person{i}" for i in range(0, n, 3))
        return _mail(f"From: Alice Source <alice@example.org>\r\nTo: owner@example.com, Carol P <carol@example.net>\r\n"
                     f"Cc: {cc}\r\nSubject: Intro: Olivia <> Carol\r\n", body)

    small, _ = _cpu(mail(150))
    big, verdict = _cpu(mail(1_500))
    assert verdict.is_intro and len(verdict.prospects) > 1
    assert big <= 15 * max(small, FLOOR), (small, big)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("unit", ["a", "EMAIL:a@b.example\n", "FN:" + "Ann " * 50 + "\n", " \n"])
def test_a_huge_contact_card_grows_linearly(unit):
    """A card is read as "Name <address>" lines into the text: only its first characters are read."""
    def mail(size: int) -> bytes:
        card = "BEGIN:VCARD\nVERSION:3.0\n" + unit * (size // len(unit)) + "\nEND:VCARD\n"
        return ("From: Alice Source <alice@example.org>\r\nTo: owner@example.com\r\nSubject: Card\r\n"
                "Message-ID: <card@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                "--b\r\nContent-Type: text/plain\r\n\r\nHer card.\r\n--b\r\nContent-Type: text/vcard\r\n\r\n"
                f"{card}\r\n--b--\r\n").encode()

    small, _ = _cpu(mail(200_000))
    big, _ = _cpu(mail(2_000_000))
    assert big <= 15 * max(small, FLOOR), (small, big)

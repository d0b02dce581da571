"""A contact card (vCard) sent with a mail, read as the lines a signature would show.

"Her details are on the card": a phone's "share contact" or Outlook's business card carries the prospect's
name and address as a .vcf part and nowhere else. Read as "Name <address>" lines, the card is one more
contact written in the mail, which every reader already knows how to weigh (a pasted card reads the same).
"""

from __future__ import annotations

import quopri
import re

from refmail.domain.charsets import codec

CARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})
MAX_CARD_CHARS = 20_000  # a card with a photo is mostly base64; its words sit in the first few lines
MAX_ADDRESSES = 5
_FOLD = re.compile(r"\r?\n[ \t]")
# "item1.EMAIL;type=INTERNET;type=pref:a@x", "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=89va"
_PROPERTY = re.compile(r"^(?:[\w-]{1,20}\.)?([A-Za-z-]{1,20})((?:;[^:\n]{0,200})?):(.*)$")


def _value(params: str, value: str) -> str:
    """The value as written: vCard 2.1 quoted-printable (Android, old Outlook) decoded in its own charset, "\\," unescaped."""
    lowered = params.lower()
    if "quoted-printable" in lowered:
        charset = re.search(r"charset=([\w-]{1,40})", lowered)
        data = quopri.decodestring(value.encode("ascii", "replace"))
        try:
            value = data.decode((codec(charset.group(1)) if charset else None) or "utf-8")
        except UnicodeDecodeError:
            value = data.decode("latin-1")
    return value.replace("\\,", ",").strip()


def card_lines(text: str) -> str:
    """The card's name, addresses, organisation and title, as a signature shows them; "" when it has no address."""
    fields: dict[str, list[str]] = {}
    for line in _FOLD.sub("", text[:MAX_CARD_CHARS]).splitlines():
        found = _PROPERTY.match(line.strip())
        if found:
            fields.setdefault(found.group(1).upper(), []).append(_value(found.group(2), found.group(3)))
    emails = [e for e in fields.get("EMAIL", []) if "@" in e][:MAX_ADDRESSES]
    if not emails:
        return ""
    name = next(iter(fields.get("FN", [])), "")
    if not name and fields.get("N"):  # "N:Pienaar;Sannie;;;": family name first
        family, _, rest = fields["N"][0].partition(";")
        name = " ".join([rest.split(";")[0], family]).strip()
    name = name.replace('"', "")
    lines = [f"{name} <{e}>" if name else e for e in emails]
    about = ", ".join(v.strip(" ;").replace(";", ", ")
                      for key in ("TITLE", "ORG") for v in fields.get(key, [])[:1] if v.strip(" ;"))
    return "\n".join(lines + ([about] if about else []))


_BEGIN, _END = "BEGIN:VCARD", "END:VCARD"


def with_pasted_cards_read(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with each card pasted into it ("BEGIN:VCARD" ... "END:VCARD") read as an attached one is, and
    the cards as read.

    Found with plain searches, each character looked at once: a body of a thousand unclosed "BEGIN:VCARD"
    stays linear. A card in a quote ("> EMAIL:...") is read too; one with no address is left as written.
    """
    if _BEGIN not in text:
        return text, ()
    out, cards, at = [], [], 0
    while (begin := text.find(_BEGIN, at)) >= 0:
        end = text.find(_END, begin)
        if end < 0:
            break
        block = "\n".join(line.lstrip("> \t") for line in text[begin:end].splitlines())
        lines = card_lines(block)
        out.append(text[at:begin] + (lines if lines else text[begin:end + len(_END)]))
        if lines:
            cards.append(lines)
        at = end + len(_END)
    return "".join(out) + text[at:], tuple(cards)

"""Raw bytes -> one normalised ParsedMessage (or ParseFailure): the only place MIME is read."""

from __future__ import annotations

import email.message
import email.utils
import hashlib
import re
from datetime import datetime, timezone
from email.header import Header, decode_header
from functools import partial
from html import unescape
from html.parser import HTMLParser


from refmail.domain.addresses import addresses, decode_text, recipients
from refmail.domain.charsets import codec
from refmail.domain.contactcard import CARD_TYPES, card_lines, with_pasted_cards_read
from refmail.domain.mailtext import is_forward_subject, quote_start
from refmail.domain.quoted import embedded_messages
from refmail.domain.scanning import addresses_in
from refmail.domain.types import ParsedMessage, ParseFailure, Person, first_values

MAX_DEPTH = 3
MAX_CARDS = 10  # contact cards read per message (a hostile one may carry thousands)
# RFC 5322 caps a line at 998 characters: a longer "Message-ID" is junk, and never one of ours.
# No whitespace and no control characters: a NUL is refused by PostgreSQL, a CR LF would split a header.
_MSGID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,998})>")
# Yahoo and AOL webmail put "References: <1234.5678.ref@mail.yahoo.com>" on a message that starts a thread:
# it names no earlier message, and read as one it made every new intro from those clients a reply.
_YAHOO_NEW = re.compile(r"\.ref@mail\.yahoo\.[a-z.]+$", re.IGNORECASE)
_BARE_ID = re.compile(r"[^<>\s\x00-\x1f\x7f]{1,998}")


def stable_message_id(header_value: str, raw: bytes) -> str:
    """The Message-ID without brackets, or a stable stand-in (a hash of the bytes) when it is missing or junk."""
    ids = _MSGID.findall(header_value)
    value = ids[0] if ids else header_value.strip().strip("<>").strip()
    if _BARE_ID.fullmatch(value):  # a folded junk value keeps CR LF TAB: it must never reach our headers
        return value
    return f"refmail-sha256-{hashlib.sha256(raw).hexdigest()[:32]}@missing"


# Address headers longer than this are cut (rules.yaml detection.max_header_chars): 20,000 recipients
# would otherwise cost seconds, and no introduction needs more than a few.
MAX_HEADER_CHARS = 65_536
CUT_NOTE = "cut: "  # defects starting with this are size cuts the reasons trail repeats


# Invisible direction marks Hebrew and Arabic clients wrap names, addresses and whole lines in ("\u202b...
# <\u202ashlomi@x\u200f>:\u202c"), and the byte-order mark iOS leaves at the top of a forwarded body: they carry
# no text, and a quote line read through them is no line at all (nor is a context that starts with one).
INVISIBLE_MARKS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")


def parse_message(raw: bytes, max_header_chars: int = MAX_HEADER_CHARS) -> ParsedMessage | ParseFailure:
    """Parse raw RFC 5322 bytes; anything unreadable is a ParseFailure, never an exception."""
    if not isinstance(raw, (bytes, bytearray)):
        return ParseFailure(f"expected bytes, got {type(raw).__name__}")
    raw = bytes(raw)
    if not raw.strip():
        return ParseFailure("empty input")
    try:
        return _parse(raw, 0, max_header_chars)
    except ValueError as exc:
        return ParseFailure(str(exc))
    except Exception as exc:  # the boundary: a parser bug must not crash intake
        return ParseFailure(f"unreadable message: {type(exc).__name__}: {exc}")


def _parse(raw: bytes, depth: int, max_header_chars: int = MAX_HEADER_CHARS) -> ParsedMessage:
    # The standard library's parser builds the MIME tree; mail-parser's parse_from_bytes builds the
    # very same email.message.Message with it, then reads every address, date, Received line and body
    # into values refmail never looked at (three quarters of its cost, and a second reading of the
    # address headers). The defects kept are the parser's own, per part (_defects).
    return _from_message(email.message_from_bytes(raw), raw, depth, (), max_header_chars)


def _cut_addresses(name: str, value: str, limit: int, notes: list[str]) -> str:
    """An address header cut at the last comma before `limit` characters, the cut noted."""
    if len(value) <= limit:
        return value
    cut = value.rfind(",", 0, limit)
    kept = value[: cut if cut > 0 else limit]
    notes.append(f"{CUT_NOTE}{name} header cut to its first {len(kept):,} of {len(value):,} characters (rules.yaml)")
    return kept


def _from_message(msg: email.message.Message, raw: bytes | None, depth: int,
                  categories: tuple[str, ...] = (), max_header_chars: int = MAX_HEADER_CHARS) -> ParsedMessage:
    written = [(str(k), as_written(v)) for k, v in msg.items()]  # each field read once: the policy costs per read
    if not written:
        raise ValueError("not an email: no header lines")
    headers = tuple((k, decode_text(v)) for k, v in written)
    get = first_values(headers)
    raw_get = {k.lower(): v for k, v in reversed(written)}
    cuts: list[str] = []
    for key in ("from", "to", "cc", "reply-to"):
        if key in raw_get:
            raw_get[key] = _cut_addresses(key.title(), raw_get[key], max_header_chars, cuts)
    categories += tuple(cuts)
    text, html, status, attached, calendars, cards = _walk(msg, depth)
    body = (text if text.strip() else html_to_text(html)).replace("\r\n", "\n").replace("\r", "\n")
    body, pasted = with_pasted_cards_read(INVISIBLE_MARKS.sub("", body))
    body = _with_cards(body, cards, forwarded=is_forward_subject(get.get("subject", "")))
    seed = raw if raw is not None else (repr(headers) + body).encode("utf-8", "replace")
    message_id = stable_message_id(raw_get.get("message-id", ""), seed)
    senders = addresses(raw_get.get("from", ""))
    if len(senders) > 1:  # "From: owner@..., mallory@...": whose message it is cannot be told, or trusted
        categories += (f"From names {len(senders)} addresses: sender unknown",)
    # RFC 5322 allows one From and one Sender. With two, clients disagree on which one they show, so
    # neither is believed: no approval, answer or owner action can ride on a second From.
    repeated = [name for name in ("From", "Sender") if len(msg.get_all(name) or ()) > 1]
    if repeated:
        categories += tuple(f"{len(msg.get_all(n) or ())} {n} headers: sender unknown" for n in repeated)
        senders = ()
    to, cc = recipients(raw_get.get("to", "")), recipients(raw_get.get("cc", ""))
    defects = tuple(dict.fromkeys(_defects(msg) + categories))
    in_reply_to = _MSGID.findall(raw_get.get("in-reply-to", ""))
    carded = frozenset(a for card in cards + pasted for a in addresses_in(card))
    return ParsedMessage(
        message_id=message_id,
        subject=" ".join(get.get("subject", "").split()),
        sender=senders[0] if len(senders) == 1 else None,
        to=to,
        cc=cc,
        reply_to=addresses(raw_get.get("reply-to", "")),
        date=_date(get.get("date", "")),
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(r for r in _MSGID.findall(raw_get.get("references", "")) if not _YAHOO_NEW.search(r)),
        headers=headers,
        text=body,
        attached=attached,
        defects=defects,
        delivery_status=status,
        calendars=calendars,
        carded=carded,
        # The HTML is kept only for its mail links (_embedded), not for the life of the message.
        quoted_reader=partial(_embedded, body, html if "mailto:" in html else "", senders + to + cc, carded),
    )


def _with_cards(body: str, cards: tuple[str, ...], forwarded: bool = False) -> str:
    """The cards under what the sender wrote, above anything it quotes: where her signature would be. A forward
    carries the forwarded message's attachments (Gmail, Outlook): its cards go under that message, at the end."""
    if not cards:
        return body
    at = len(body) if forwarded else quote_start(body)
    return body[:at].rstrip() + "\n\n" + "\n\n".join(cards) + "\n\n" + body[at:]


_MAX_LINKS_READ = 200_000  # characters of HTML read for mail links
# A mail link in HTML mail: <a href="mailto:ryan@x">Ryan O'Neill</a>, bounded so that a hostile part stays linear.
_MAILTO = re.compile(r"""<a\b[^>]{0,500}?href\s*=\s*["']?mailto:([^"'?>\s]{3,254})[^>]{0,500}>([^<]{0,200})</a>""",
                     re.IGNORECASE)


def _embedded(body: str, html: str, known: tuple[Person, ...], carded: frozenset[str]) -> tuple[ParsedMessage, ...]:
    """The quoted and forwarded messages of the body, their writers found by name where they have no address.

    Foxmail and Outlook quote "From: Ryan O'Neill" in the text part and link the name to its address only in
    the HTML part: when a quoted writer has no address, the HTML's mail links name the people too.
    """
    found = embedded_messages(body, known=known, carded=carded)
    if not found or "mailto:" not in html or all(e.sender is not None for e in _nested(found)):
        return found
    linked = tuple(Person(" ".join(unescape(name).split()), addr.lower())
                   for addr, name in _MAILTO.findall(html[:_MAX_LINKS_READ]) if "@" in addr)
    return embedded_messages(body, known=known + tuple(dict.fromkeys(linked)), carded=carded) if linked else found


def _nested(found: tuple[ParsedMessage, ...]):
    while found:
        yield found[0]
        found = found[0].embedded


def as_written(value: object) -> str:
    """A header value as its writer typed it, RFC 2047 words still encoded.

    Raw 8-bit bytes (no RFC 2047, against the rules but common) arrive as an email.header.Header
    whose str() is replacement characters: read them as UTF-8, else Windows-1252, so "Lucía" stays
    Lucía in a greeting instead of "Luc��a".
    """
    if not isinstance(value, Header):
        return str(value)
    parts = []
    for chunk, charset in decode_header(value):
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset in (None, "unknown-8bit", "us-ascii"):
            parts.append(_bytes_text(chunk))
        else:
            known = codec(charset)
            parts.append(chunk.decode(known, "replace") if known else _bytes_text(chunk))
    return "".join(parts)


def _bytes_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _date(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _payload_text(part: email.message.Message) -> str:
    data = part.get_payload(decode=True)
    if data is None:
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    for candidate in filter(None, (codec(part.get_content_charset()), "utf-8", "cp1252")):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _encoded_message(inner: object, encoding: str) -> email.message.Message | None:
    """The stdlib leaves an encoded message/rfc822 as one header-less part holding the encoded text."""
    import base64
    import quopri

    text = inner.get_payload() if isinstance(inner, email.message.Message) else inner
    if not isinstance(text, str):
        return None
    try:
        data = base64.b64decode(text) if encoding == "base64" else quopri.decodestring(text.encode("ascii", "replace"))
    except ValueError:
        return None
    return email.message_from_bytes(data)


def _content_type(part: email.message.Message) -> tuple[str, str | None]:
    """The part's type and disposition; also when a mail tool wrote the whole header as one encoded word
    ("=?utf-8?q?message/rfc822=3B_name=3D...?="), which the stdlib reads as plain text."""
    raw = part.get("Content-Type")
    if raw is None or not str(raw).lstrip().startswith("=?"):
        return part.get_content_type(), part.get_content_disposition()
    ctype = decode_text(raw).split(";")[0].strip().lower()
    disposition = decode_text(part.get("Content-Disposition", "")).split(";")[0].strip().lower() or None
    return (ctype if "/" in ctype else part.get_content_type()), disposition


def _walk(msg: email.message.Message,
          depth: int) -> tuple[str, str, str, tuple[ParsedMessage, ...], tuple[str, ...], tuple[str, ...]]:
    """Text, HTML and delivery-status of this message; attached messages parsed on their own; calendar parts;
    contact cards, as the lines a signature would show."""
    calendars: list[str] = []
    cards: list[str] = []
    texts: list[str] = []
    htmls: list[str] = []
    status: list[str] = []
    attached: list[ParsedMessage] = []
    stack = [msg]
    while stack:
        part = stack.pop(0)
        ctype, disposition = _content_type(part)
        if ctype == "message/rfc822" and part is not msg:
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
            if encoding in ("base64", "quoted-printable"):  # encoded message/rfc822, as some clients send it
                inner = _encoded_message(inner, encoding)
            elif isinstance(inner, str):  # its type header was unreadable to the stdlib: still text to parse
                inner = email.message_from_string(inner)
            if depth < MAX_DEPTH and isinstance(inner, email.message.Message) and len(inner.items()):
                attached.append(_from_message(inner, None, depth + 1))
            continue
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            inner = part.get_payload()
            if isinstance(inner, list):
                # Each block's fields as "Name: value" lines: what a DSN reports, without the cost of
                # str(block) (the email generator re-folds every header: a fifth of parsing a bounce).
                status.append("\n\n".join("\n".join(f"{k}: {v}" for k, v in block.items()) for block in inner))
            else:
                status.append(_payload_text(part))
            continue
        if part.is_multipart():
            stack[0:0] = [p for p in part.get_payload() if isinstance(p, email.message.Message)]
            continue
        if ctype in ("text/calendar", "application/ics"):  # an invitation, inline or attached as invite.ics
            calendars.append(_payload_text(part))
            continue
        if ctype in CARD_TYPES:  # inline or attached, a card is the contact it names
            if len(cards) < MAX_CARDS:
                cards.append(card_lines(_payload_text(part)))
            continue
        if disposition == "attachment":
            continue
        if ctype == "text/plain":
            texts.append(_payload_text(part))
        elif ctype == "text/html":
            htmls.append(_payload_text(part))
        elif ctype == "text/rfc822-headers":
            status.append(_payload_text(part))
    return "\n".join(texts), "\n".join(htmls), "\n".join(status), tuple(attached), tuple(calendars), tuple(c for c in cards if c)


def _defects(msg: email.message.Message) -> tuple[str, ...]:
    found: list[str] = []
    for part in msg.walk():
        found.extend(type(d).__name__ for d in getattr(part, "defects", ()))
    return tuple(found)


class _TextOfHtml(HTMLParser):
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table", "hr"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """Readable text of untrusted HTML: tags, scripts and styles dropped, entities decoded."""
    if not html:
        return ""
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^<>]*+>", " ", html)  # never "[^>]*": a run of "<<<<" would be rescanned from each
    lines = (" ".join(line.split()) for line in "".join(parser.out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

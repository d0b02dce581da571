"""Writes the labelled test corpus (tests/corpus/*/NNN_*.eml + labels.yaml) from varied templates.

    python tests/corpus/generate.py

Deterministic (fixed seed): re-running rewrites the same files. Hand-written voices,
clients and traps; every message's expected reading is in labels.yaml.
"""

from __future__ import annotations

import base64
import quopri
import random
import shutil
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OWNER = ("Olivia Owner", "owner@example.com")
ALIAS = ("Olivia Owner", "olivia@owner.example")
ASSISTANT = ("", "assistant@example.com")
BASE = datetime(2025, 3, 5, 9, 30, tzinfo=timezone.utc)  # a Wednesday

REFERRERS = [("Alice Source", "alice@example.org"), ("Ben Okafor", "ben.okafor@northwind.example"),
             ("Priya Raman", "priya@raman-consulting.example"), ("Tomás García", "tgarcia@ejemplo.example"),
             ("Hannah Weber", "h.weber@beispiel.example"), ("Marcus Lee", "marcus@leeventures.example"),
             ("Sophie Martin", "sophie.martin@exemple.example"), ("Jamal Wright", "jamal@wrightpartners.example"),
             ("Yuki Tanaka", "yuki.tanaka@example.jp"), ("Grace O'Neill", "grace.oneill@example.ie")]
PROSPECTS = [("Carol Prospect", "carol@example.net"), ("Dev Patel", "dev@acme-logistics.example"),
             ("Elena Rossi", "elena.rossi@fabbrica.example"), ("Frank Müller", "frank.mueller@muellergmbh.example"),
             ("Gabriela Silva", "gsilva@silvaco.example"), ("Hiro Nakamura", "hiro@nakamura.example"),
             ("Isabel Costa", "isabel@costa-design.example"), ("Jonah Brooks", "jonah.brooks@brooksbuild.example"),
             ("Kara Nguyen", "kara@nguyenlabs.example"), ("Liam Murphy", "liam.murphy@murphyfoods.example"),
             ("Maya Cohen", "maya@cohen-health.example"), ("Nina Petrov", "npetrov@petrovtech.example"),
             ("Oscar Lindqvist", "oscar@lindqvist.example"), ("Paula Mendes", "paula.mendes@mendes.example"),
             ("Quentin Blake", "quentin@blakeandco.example"), ("Rosa Delgado", "rosa@delgado-media.example")]
COMPANIES = ["Acme Logistics", "Fabbrica Rossi", "Müller GmbH", "Silva & Co", "Nakamura Robotics", "Costa Design",
             "Brooks Build", "Nguyen Labs", "Murphy Foods", "Cohen Health", "Petrov Tech", "Lindqvist AB"]
NEEDS = ["rethinking their pricing", "looking for help with a CRM migration", "hiring their first sales lead",
         "trying to untangle their supply chain", "planning a fundraise", "moving their books off spreadsheets",
         "expanding into Germany", "rebuilding their onboarding", "looking at a new website", "sorting out payroll"]
CLIENTS = [("X-Mailer", "Apple Mail (2.3774.400.31)"), ("User-Agent", "Mozilla Thunderbird 115.8"),
           ("X-Mailer", "Microsoft Outlook 16.0"), ("X-Mailer", "iPhone Mail (21D61)"), (None, None),
           ("X-Mailer", "Superhuman"), ("User-Agent", "Roundcube Webmail/1.6.6")]

labels: list[dict] = []
rng = random.Random(20250305)
counter = [0]


def fmt(person) -> str:
    name, email = person
    if not name:
        return email
    if any(c in name for c in ",.'()") or not name.isascii():
        quoted = name.replace('"', "")
        if not name.isascii():
            return "=?utf-8?b?" + base64.b64encode(name.encode()).decode() + "?= <" + email + ">"
        return f'"{quoted}" <{email}>'
    return f"{name} <{email}>"


def first(person) -> str:
    return person[0].split()[0] if person[0] else person[1].split("@")[0].split(".")[0].title()


def message(sender, to, subject, body, cc=(), extra=(), html=False, encoding="8bit", date=None, msgid=True,
            in_reply_to=None, charset="utf-8", raw_headers=None) -> bytes:
    counter[0] += 1
    date = date or BASE + timedelta(hours=counter[0] % 40, minutes=counter[0] % 59)
    lines = []
    if raw_headers is not None:
        lines += raw_headers
    else:
        lines.append(f"From: {fmt(sender) if isinstance(sender, tuple) else sender}")
        lines.append("To: " + ", ".join(fmt(p) if isinstance(p, tuple) else p for p in to))
        if cc:
            lines.append("Cc: " + ", ".join(fmt(p) if isinstance(p, tuple) else p for p in cc))
        lines.append(f"Subject: {subject}")
        lines.append(f"Date: {format_datetime(date)}")
    if msgid:
        lines.append(f"Message-ID: <corpus.{counter[0]:04d}.{rng.randrange(10**8):08d}@mail.example>")
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
        lines.append(f"References: <{in_reply_to}>")
    client = CLIENTS[counter[0] % len(CLIENTS)]
    if client[0]:
        lines.append(f"{client[0]}: {client[1]}")
    lines += list(extra)
    lines.append("MIME-Version: 1.0")
    if html:
        paras = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n"))
        body = f"<html><head><style>p{{margin:0}}</style></head><body><div dir=\"ltr\">{paras}</div></body></html>"
    ctype = "text/html" if html else "text/plain"
    data = body.encode(charset, "replace")
    if encoding == "quoted-printable":
        data = quopri.encodestring(data)
    elif encoding == "base64":
        data = base64.encodebytes(data)
    lines.append(f'Content-Type: {ctype}; charset="{charset}"')
    lines.append(f"Content-Transfer-Encoding: {encoding}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def save(folder: str, slug: str, raw: bytes, kind: str, referrer=None, prospects=(), **extra) -> None:
    n = len(labels) + 1
    name = f"{folder}/{n:03d}_{slug}.eml"
    (HERE / folder).mkdir(exist_ok=True)
    (HERE / name).write_bytes(raw)
    label = {"file": name, "kind": kind, "owner": "owner@example.com"}
    if kind in ("intro", "double_opt_in_ask"):
        label["referrer"] = referrer[1] if referrer else None
        label["prospects"] = sorted(p[1] for p in prospects)
    label.update({k: v for k, v in extra.items() if v is not None})
    labels.append(label)


def main() -> None:
    for folder in ("intro", "lookalike", "autoreply", "bounce", "reply", "malformed"):
        shutil.rmtree(HERE / folder, ignore_errors=True)
    labels.clear()
    from intros import write_intros  # noqa: E402 (sibling module of this script)
    from others import write_others  # noqa: E402

    from hard import write_forwarded_replies, write_hard  # noqa: E402

    write_intros()
    write_others()
    write_hard()
    write_forwarded_replies()
    (HERE / "labels.yaml").write_text(
        "# Labelled corpus written by generate.py; owner Olivia Owner <owner@example.com>, alias\n"
        "# olivia@owner.example, assistant assistant@example.com. Kinds as in DESIGN.md.\n"
        + yaml.safe_dump(labels, sort_keys=False, allow_unicode=True, width=120))
    print(f"wrote {len(labels)} messages")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE))
    sys.modules.setdefault("generate", sys.modules[__name__])
    main()

"""Write a sample HTML digest from the real templates and screenshot it with headless Chromium (docs/digest.png).

    python3 docs/render_digest.py            # writes docs/digest.html and docs/digest.png
    python3 docs/render_digest.py --html-only
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from refmail.app import digest_mail
from refmail.clock import FixedClock
from refmail.config import load_settings
from refmail.domain import digest as dg
from refmail.wiring import build_app

HERE = Path(__file__).parent
NOW = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1"]


def sample() -> dg.Digest:
    K = dg.SectionKind
    t = lambda h, m=0: NOW - timedelta(hours=h, minutes=m)  # noqa: E731
    items = {
        K.AWAITING: (
            dg.Item("Alice Source suggested we connect",
                    "To Carol Prospect <carol@example.net>, due Tue 17 Nov 17:00. Why: the first message "
                    "to Carol Prospect, introduced by Alice Source (referral r3f9a2c1).",
                    'reply "send", "skip" or your own text to the email "[refmail] Approve: Alice Source suggested '
                    'we connect", or run: refmail approve d81c0e4', "d81c0e4", t(14)),
            dg.Item("Thanks for the introduction to Carol",
                    "To Alice Source <alice@example.org>, due Wed 18 Nov 08:00. Why: a thank-you "
                    "to Alice Source for introducing Carol Prospect (referral r3f9a2c1).",
                    'reply "send", "skip" or your own text to the email "[refmail] Approve: Thanks for the '
                    'introduction to Carol", or run: refmail approve d2b77a0', "d2b77a0", t(14)),
        ),
        K.REPLIES: (
            dg.Item("Dave Buyer replied", "introduced by Bob Partner", "refmail show r77c2d10", "r77c2d10", t(16, 20),
                    "Thanks Olivia, great to meet you. Thursday at 10 works for me; I'll bring our ops lead."),
        ),
        K.SENT: (
            dg.Item("Bob Partner suggested we connect", "First message to Dave Buyer <dave@example.net>", "",
                    "r77c2d10", t(22, 58)),
        ),
        K.DUE: (
            dg.Item("Second message: Erin Lead", "introduced by Alice Source; drafted for your approval then",
                    "refmail show r0aa1b2c", "r0aa1b2c", NOW + timedelta(hours=2)),
        ),
        K.ESCALATED: (
            dg.Item("Frank Quiet: no answer after two messages; the referrer has been asked what to do next",
                    "introduced by Bob Partner (Intro: Olivia <> Frank)", "refmail outcome r5e6f7a8 met|won|lost",
                    "r5e6f7a8", t(24 * 3)),
        ),
        K.REFUSED: (
            dg.Item('answer from <script>alert("x")</script> owner@example.com about draft d81c0e4',
                    "not from an owner address (mallory@example.org)", "nothing was sent or changed", "d81c0e4",
                    t(3, 12)),
        ),
    }
    sources = (
        dg.SourceRow("Alice Source", "alice@example.org", 6, 4, 3, 2),
        dg.SourceRow("Bob Partner", "bob@example.org", 4, 2, 1, 1),
        dg.SourceRow("", "gina@example.com", 1, 0, 0, 0),
    )
    return dg.build(dg.Snapshot(date(2026, 11, 17), NOW, NOW - timedelta(days=1), items, sources))


def write_html(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(load_settings(environ={
            "REFMAIL_OWNER": "Olivia Owner <owner@example.com>", "REFMAIL_ASSISTANT": "assistant@example.com",
            "REFMAIL_DATABASE_URL": f"sqlite:///{tmp}/refmail.db", "REFMAIL_SECRET": "docs-sample-secret", "REFMAIL_DATA_DIR": tmp,
        }), clock=FixedClock(NOW))
        _, _, html = digest_mail.render(app, sample())
    target.write_text(html)


def screenshot(html: Path, png: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium not found: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--window-size=760,1900",
                        f"--screenshot={png}", html.resolve().as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html-only", action="store_true")
    args = parser.parse_args()
    html = HERE / "digest.html"
    write_html(html)
    if not args.html_only:
        screenshot(html, HERE / "digest.png")
    print(f"wrote {html}" + ("" if args.html_only else f" and {HERE / 'digest.png'}"))


if __name__ == "__main__":
    main()

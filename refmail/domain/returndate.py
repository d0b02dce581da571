"""An out-of-office text's return date (en/de/fr/es, relative to the message's Date) and "gone for good" cues."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta


_PERMANENT = re.compile(
    r"no longer (?:being )?(?:monitored|in use|active|checked|read|with|at|employed|working|works)|"
    r"(?:is|are) not (?:being )?monitored|(?:have|has|had) (?:now )?left (?:the|our|\w+)|"
    r"\b(?:i have|i've|has|have) retired|\bi am retired|\bis retired|\bnow retired|"
    r"nicht mehr (?:im unternehmen|bei|tätig|aktiv|besetzt|gelesen|abgerufen|erreichbar)|"
    r"(?:hat|habe) (?:das unternehmen|die firma|\w+) verlassen|im ruhestand|"
    r"ne (?:travaille|fait) plus|n'(?:est|fait) plus (?:partie|consult|surveill|active|utilis)|"
    r"a quitt[ée] (?:la soci[ée]t[ée]|l'entreprise)|à la retraite|"
    r"ya no (?:trabaja|trabajo|forma parte|est[áa] activ|se revisa|es monitoread|se utiliza)|"
    r"(?:ha|he) dejado (?:la empresa|la compañía)|jubilad[oa]",
    re.IGNORECASE,
)

_CUES = (
    ("en", r"(?:back|return(?:ing)?|returning to the office|in the office|available|be back|away|out)"
           r"(?: in the office| to the office| to work)?\s+(?:on|by|from|after|until|till|through|thru)\s+"),
    ("en", r"(?:until|till|through|thru|returning|return on|back on|back)\s+"),
    ("de", r"(?:zurück\s+(?:am|ab)|wieder\s+(?:im büro\s+|erreichbar\s+|da\s+)?(?:am|ab)|bis\s+(?:zum|einschließlich|einschl\.)?|ab\s+dem)\s*"),
    ("fr", r"(?:de retour (?:le|à partir du)?|jusqu'au|jusqu’au|à partir du|retour prévu le|reviendrai le|retour le)\s*"),
    ("es", r"(?:regreso el|regresaré el|de vuelta el|volveré el|hasta el|a partir del|vuelvo el|hasta)\s*"),
)
_ISO = re.compile(r"\b(20\d\d-\d\d-\d\d)\b")
# "out through Friday", "bis einschließlich 09.01.", "jusqu'au 9 janvier inclus": the date is the last
# day away, so the first day back is the one after.
_INCLUSIVE_CUE = re.compile(r"\b(?:through|thru|einschließlich|einschl\.)\s*$", re.IGNORECASE)
_INCLUSIVE_AFTER = re.compile(r"\b(?:inclusive|inclus|incluse|incluido|incluida|inklusive|inkl\.)", re.IGNORECASE)


def is_permanent(text: str) -> bool:
    """True when the text says the address is gone for good (left the company, retired, unmonitored)."""
    return bool(_PERMANENT.search(text))


def _settings(lang: str, base: datetime | None) -> dict:
    settings = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False,
                "REQUIRE_PARTS": [], "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = base.replace(tzinfo=None)
    if lang != "en":
        settings["DATE_ORDER"] = "DMY"
    return settings


_DOTTED = re.compile(r"^\s*(?:\w+,?\s+)?(?:den\s+|dem\s+|le\s+|el\s+)?(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4})?)?(?!\d)")
_DAY_ONLY = re.compile(r"^\s*(?:[a-z]+day,?\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*[./:-]?\s*\d)"
                       r"(?!\s*(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ja|fé|fe|mä|av|ma|ju|ag|se|oc|no|di|en|ab))",
                       re.IGNORECASE)


def _next_day_of_month(day: int, base: date) -> date | None:
    year, month = base.year, base.month
    for _ in range(3):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= base:
            return found
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _numeric(fragment: str, base: datetime | None) -> date | None:
    """"12.03.", "12.03.2025" and "Monday 10th": forms dateparser reads as times or far-off dates."""
    today = base.date() if base else None
    dotted = _DOTTED.match(fragment)
    if dotted:
        day, month, year = int(dotted.group(1)), int(dotted.group(2)), dotted.group(3)
        try:
            if year:
                return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
            if today is not None:
                found = date(today.year, month, day)
                return found if found >= today else date(today.year + 1, month, day)
        except ValueError:
            return None
    only = _DAY_ONLY.match(fragment)
    if only and today is not None and 1 <= int(only.group(1)) <= 31:
        return _next_day_of_month(int(only.group(1)), today)
    return None


def _try(fragment: str, lang: str, base: datetime | None) -> date | None:
    numeric = _numeric(fragment, base)
    if numeric is not None:
        return numeric
    words = fragment.split()[:6]
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).strip(" ,;:()")
        candidate = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", candidate)
        if not re.search(r"\d|[a-zäéû]{3,}", candidate, re.IGNORECASE):
            continue
        try:
            import dateparser  # heavy: imported only when an out-of-office is read

            found = dateparser.parse(candidate, languages=[lang], settings=_settings(lang, base))
        except Exception:  # dateparser's own bugs must not cost us the message
            found = None
        if found is not None:
            return found.date()
    return None


def return_date(text: str, sent: datetime | None) -> date | None:
    """The first day back stated after the message date, or None when none is given."""
    text = text[:2000]
    base = sent
    candidates: list[date] = []
    for lang, cue in _CUES:
        for match in re.finditer(cue, text, re.IGNORECASE):
            fragment = re.split(r"[\n!?;]|(?<!\d)\.\s", text[match.end(): match.end() + 60])[0]
            if not fragment.strip():
                continue
            found = _try(fragment, lang, base)
            if found is not None:
                inclusive = _INCLUSIVE_CUE.search(match.group(0)) or _INCLUSIVE_AFTER.search(fragment)
                candidates.append(found + timedelta(days=1) if inclusive else found)
        if candidates:
            break
    if not candidates:
        iso = _ISO.search(text)
        if iso:
            candidates.append(date.fromisoformat(iso.group(1)))
    floor = (sent.date() if sent else None)
    for found in candidates:
        if floor is None or floor <= found <= floor + timedelta(days=400):
            return found
    return None

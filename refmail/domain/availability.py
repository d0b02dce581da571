"""Availability cues ("she's only in town till Friday", "he leaves on Thursday", "before the end of the
quarter"): a window that closes, which counts as a deadline like "by Friday" and gets the faster cadence.

Regular expressions over the text, in English, German, French, Spanish and Dutch. A day alone is not a
cue ("I met her in town on Friday"): the words must say that someone stays only until then, or leaves then.
"""

from __future__ import annotations

import re

_EN_DAY = (r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|tonight|the weekend|next week|the \d{1,2}(?:st|nd|rd|th)"
           r"|the end of (?:the|this|next) (?:week|month)")
_DE_DAY = r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|morgen|ende der woche|nächste woche|dem \d{1,2}\."
_FR_DAY = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|la fin de la semaine|la semaine prochaine"
_ES_DAY = (r"(?:el )?(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo)|mañana|manana"
           r"|fin de semana|la semana que viene")
_NL_DAY = r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|morgen|het einde van de week"
_PERIOD = r"(?:quarter|month|year|fiscal year|financial year|half|week)"

PATTERNS = [
    # English: staying only until a day
    rf"\b(?:only |just )?(?:in town|here|around|in the area|in the office|available|free|over here|in (?:london|nyc|"
    rf"new york|berlin|paris|sf|the city|the country|the us|the uk))\s+(?:un)?(?:til|till|until|through|thru)\s+(?:{_EN_DAY})\b",
    rf"\b(?:is|'s|are|'re|am|'m)\s+(?:only |just )?(?:here|around|in town|visiting|in (?:london|berlin|paris|the city))"
    rf"(?:\s+\w+){{0,2}}?\s+(?:un)?(?:til|till|until|through|thru)\s+(?:{_EN_DAY})\b",
    # English: leaving on a day (present or future, not "left")
    rf"\b(?:leaves|leaving|will leave|flies out|flying out|flies back|flying back|heads (?:back|home|out)|heading "
    rf"(?:back|home|out)|goes back|going back|is off|'s off|departs|departing|fly(?:ing)? home)\s+(?:again\s+)?(?:on\s+)?"
    rf"(?:{_EN_DAY})\b",
    rf"\b(?:before|by) (?:the )?end of (?:the|this|next) {_PERIOD}\b",
    r"\bbefore (?:the )?(?:quarter|month|year)[- ]end\b",
    r"\bbefore (?:q[1-4]|eoq|the quarter closes|the books close)\b",
    # German
    rf"\b(?:nur )?(?:noch )?bis (?:zum |am )?(?:{_DE_DAY})\b(?:\s+\w+){{0,3}}?\s+(?:in der stadt|hier|da|vor ort|in \w+)\b",
    rf"\b(?:ist|sind|bin) (?:nur )?(?:noch )?(?:bis (?:zum |am )?(?:{_DE_DAY}))",
    rf"\b(?:reist|fliegt|fährt|faehrt) (?:am |schon am )?(?:{_DE_DAY})\s+(?:ab|zurück|zurueck|weiter|heim)\b",
    r"\b(?:vor|bis) (?:dem )?(?:ende des (?:quartals|monats|jahres)|quartalsende|monatsende|jahresende)\b",
    # French
    rf"\b(?:n'est|ne sera|ne reste) (?:là|ici|en ville|à \w+|disponible)? ?que jusqu'(?:à|au) (?:{_FR_DAY})\b",
    rf"\b(?:est|sera|reste) (?:là|ici|en ville|à \w+|disponible) jusqu'(?:à|au) (?:{_FR_DAY})\b",
    rf"\b(?:part|repart|s'en va|rentre|quitte \w+) (?:dès )?(?:{_FR_DAY})\b",
    r"\bavant la fin (?:du trimestre|du mois|de l'année|de l'annee|du semestre)\b",
    # Spanish
    rf"\b(?:solo |sólo )?(?:está|esta|estará|estara|estoy|estamos) (?:aquí |aqui |en la ciudad |en \w+ |disponible )?"
    rf"(?:solo |sólo )?hasta (?:{_ES_DAY})\b",
    rf"\b(?:se va|se marcha|vuelve|regresa|sale) (?:el |este )?(?:{_ES_DAY})\b",
    r"\bantes (?:de(?:l)? )?(?:fin|final) de(?:l)? (?:trimestre|mes|año|ano)\b",
    r"\bantes de que (?:termine|acabe) el (?:trimestre|mes|año)\b",
    # Dutch
    rf"\b(?:is|ben|zijn) (?:maar |alleen )?(?:nog )?tot (?:{_NL_DAY})\b",
    rf"\bvertrekt (?:op |al op )?(?:{_NL_DAY})\b",
    r"\bvoor het einde van het (?:kwartaal|jaar)\b|\bvoor de maand voorbij is\b",
]
_CUE = re.compile("|".join(f"(?:{p})" for p in PATTERNS), re.IGNORECASE)
# "I met her in town on Friday", "he left on Thursday": the past says nothing about what is still open.
_PAST = re.compile(r"\b(?:met|saw|left|was|were|had|did|ended|closed|war|traf|habe|hatte|ai vu|était|etait|"
                   r"conocí|conoci|estuvo|vi|was er)\b", re.IGNORECASE)


def availability(text: str) -> str | None:
    """The phrase that says someone is available only until a day (or a period ends), or None."""
    for line in (text or "").splitlines():
        if line.lstrip().startswith(">"):
            continue
        for match in _CUE.finditer(line):
            before = line[max(0, match.start() - 30): match.start()]
            if _PAST.search(before + " " + match.group(0)):
                continue
            return match.group(0).strip()
    return None

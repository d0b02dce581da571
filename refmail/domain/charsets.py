"""Charset labels as mail clients write them, turned into the names Python's codecs answer to.

Windows and webmail label mail with the names of the WHATWG Encoding Standard ("windows-874" for Thai,
"x-sjis", "iso-8859-8-i", "x-mac-cyrillic"); Python knows some of those encodings only by other names
(cp874), so a Thai Outlook message came through as raw "=?windows-874?B?...?=" words and Latin mojibake,
and a draft could greet a prospect by an encoded word. webencodings holds the standard's label table.
"""

from __future__ import annotations

import codecs

import webencodings


def codec(label: str | None) -> str | None:
    """The Python codec for a charset label: Python's own reading when it has one (so nothing it already
    read changes), else the standard's; None when neither knows the label, or when it names no text
    encoding ("zlib", "base64", "rot13" are Python codecs too: a message labelled so is read as unlabelled)."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        found = webencodings.lookup(label)
        return found.codec_info.name if found is not None else None
    try:
        b"a".decode(name, "replace")  # an empty input would skip the check
    except LookupError:
        return None
    return name

"""Facts about addresses that need no message: shared mail providers, and who shares an organisation."""

from __future__ import annotations

# Providers anyone can sign up to, by the name before the top-level domain: gmail.com, gmx.de, yahoo.co.uk.
FREE_MAIL_PROVIDERS = frozenset({
    "gmail", "googlemail", "outlook", "hotmail", "live", "msn", "yahoo", "ymail", "icloud", "me", "mac", "aol",
    "proton", "protonmail", "pm", "gmx", "web", "mail", "yandex", "zoho", "fastmail", "hey", "qq", "163",
})
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov"})


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def provider(domain: str) -> str:
    """The organisation name of a domain: 'acme' for mail.acme.co.uk."""
    labels = [part for part in domain.lower().split(".") if part]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def is_free_mail(address_or_domain: str) -> bool:
    """Two people at a shared provider are not colleagues."""
    return provider(domain_of(address_or_domain) if "@" in address_or_domain else address_or_domain) \
        in FREE_MAIL_PROVIDERS


def colleagues(a: str, b: str) -> bool:
    """Same organisation by address: same domain, and not a shared provider."""
    return domain_of(a) == domain_of(b) and not is_free_mail(a)

"""Decides whether a mail connection may go without TLS, and builds the verified TLS context."""

from __future__ import annotations

import ipaddress
import ssl
from typing import Literal

from refmail.errors import InsecureConnectionError

Security = Literal["ssl", "starttls", "none"]
SECURITY_MODES: tuple[str, ...] = ("ssl", "starttls", "none")


def is_loopback(host: str) -> bool:
    """True for localhost and loopback literals; names are not resolved (DNS must not decide this)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_security(protocol: str, host: str, security: str, allow_plaintext: bool) -> Security:
    """Validate the mode; refuse plaintext off-machine unless explicitly allowed."""
    if security not in SECURITY_MODES:
        raise ValueError(f"{protocol} security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
    if security == "none" and not allow_plaintext and not is_loopback(host):
        raise InsecureConnectionError(
            f"refusing plaintext {protocol} to {host}: the password and mail would cross the network "
            f"unencrypted. Use security 'ssl' or 'starttls' (REFMAIL_{protocol}_SECURITY), or set "
            f"REFMAIL_ALLOW_PLAINTEXT=yes if you really mean it."
        )
    return security  # type: ignore[return-value]


def default_context() -> ssl.SSLContext:
    """Certificate and hostname verification on, as the standard library's default."""
    return ssl.create_default_context()

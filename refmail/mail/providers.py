"""Known mail providers: their servers, and what to tell her when a login or a connection fails."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    key: str
    name: str
    imap_host: str
    imap_port: int
    imap_security: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    login_hint: str
    domains: tuple[str, ...] = ()

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)


_APP_PASSWORD = "an app password (your normal password does not work here): "
PROVIDERS: dict[str, Provider] = {p.key: p for p in (
    Provider("gmail", "Gmail / Google Workspace", "imap.gmail.com", 993, "ssl", "smtp.gmail.com", 465, "ssl",
             _APP_PASSWORD + "turn on 2-Step Verification, then create one at "
             "https://myaccount.google.com/apppasswords; IMAP must be on in Gmail's settings (or OAuth2: "
             "`refmail auth login --provider google`, docs/gmail.md)",
             ("gmail.com", "googlemail.com")),
    Provider("microsoft", "Microsoft 365 / Outlook.com", "outlook.office365.com", 993, "ssl",
             "smtp.office365.com", 587, "starttls",
             "OAuth2 (it refuses passwords for IMAP and SMTP: basic authentication is off): run `refmail auth "
             "login --provider microsoft` and set REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND and "
             "REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND to `refmail auth token --provider microsoft` (docs/microsoft365.md)",
             ("office365.com", "outlook.com", "hotmail.com", "live.com")),
    Provider("fastmail", "Fastmail", "imap.fastmail.com", 993, "ssl", "smtp.fastmail.com", 465, "ssl",
             _APP_PASSWORD + "Settings > Privacy & Security > Connected apps & API tokens > App passwords, "
             "with IMAP and SMTP access", ("fastmail.com",)),
    Provider("icloud", "iCloud Mail", "imap.mail.me.com", 993, "ssl", "smtp.mail.me.com", 587, "starttls",
             _APP_PASSWORD + "an app-specific password from https://account.apple.com (Sign-In and Security); "
             "the user name is your iCloud address", ("me.com", "icloud.com")),
    Provider("yahoo", "Yahoo Mail", "imap.mail.yahoo.com", 993, "ssl", "smtp.mail.yahoo.com", 465, "ssl",
             _APP_PASSWORD + "Account Security > Generate app password", ("yahoo.com",)),
)}
OTHER_HINT = "check the user name and password ({prefix}_USER / {prefix}_PASSWORD)"


def provider_for(host: str) -> Provider | None:
    return next((p for p in PROVIDERS.values() if p.matches(host)), None)


def login_hint(host: str, prefix: str) -> str:
    """What to do about a refused login on `host`: the provider's own rule, else check the settings."""
    provider = provider_for(host)
    return f"{provider.name} needs {provider.login_hint}" if provider else OTHER_HINT.format(prefix=prefix)


def explain_connect_error(protocol: str, host: str, port: int, security: str, exc: BaseException) -> str | None:
    """A sentence naming the server and the setting to change, for the ways a connection commonly fails;
    None when there is nothing better to say than the error itself."""
    import socket  # here, not at the top: every command's argument parser imports this module (init's choices)
    import ssl
    prefix = f"REFMAIL_{protocol}"
    where = f"{protocol} server {host}:{port}"
    tls_port, starttls_port = (993, 143) if protocol == "IMAP" else (465, 587)
    text = str(exc)
    if isinstance(exc, ssl.SSLError) and ("WRONG_VERSION_NUMBER" in text or "UNKNOWN_PROTOCOL" in text
                                           or "record layer failure" in text or "packet length" in text):
        return (f"{where} does not speak TLS on connect, but {prefix}_SECURITY is {security}: set "
                f"{prefix}_SECURITY=starttls (usually port {starttls_port}), or {prefix}_PORT={tls_port} "
                f"for security ssl")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"{where}: its certificate cannot be verified ({exc.verify_message}); check {prefix}_HOST "
                "is the provider's own name for the server")
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused; check {prefix}_HOST and {prefix}_PORT"
    if isinstance(exc, socket.gaierror):
        return f"cannot find {protocol} server {host!r} (DNS: {exc.strerror}); check {prefix}_HOST"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        hint = (f"if {port} is a TLS port ({tls_port}), set {prefix}_SECURITY=ssl" if security != "ssl"
                else f"check {prefix}_HOST and {prefix}_PORT, and any firewall")
        return f"{where} did not answer in time; {hint}"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"cannot connect to {where}: {exc.strerror or exc}; check {prefix}_HOST and {prefix}_PORT"
    return None

"""Signing in to Microsoft or Google once, keeping the refresh token in a 0600 file, and handing out fresh
access tokens, so REFMAIL_*_OAUTH2_TOKEN_COMMAND can be `refmail auth token --provider ...`.

The providers' own libraries do the OAuth2: msal (device-code flow, token cache and refresh) for Microsoft,
google-auth-oauthlib (installed-app flow with a loopback redirect: Google's device flow does not allow the
mail scope) and google-auth (refresh) for Google. Tokens are never printed here except by `token()`'s caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from refmail.errors import SigninError
from refmail.store.private import private_dir, write_private

MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
# Outlook's IMAP and SMTP scopes; msal adds openid, profile and offline_access (the refresh token) itself.
MICROSOFT_SCOPES = ["https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send"]
GOOGLE_SCOPES = ["https://mail.google.com/"]  # the only Gmail scope that covers IMAP and SMTP
PROVIDERS = ("microsoft", "google")
_ACCOUNT = re.compile(r"^[A-Za-z0-9._@+-]{1,100}$")


@dataclass(frozen=True)
class Store:
    """Where one sign-in is kept: <data dir>/oauth2/<provider>[-<account>].json, 0600 in a 0700 folder."""

    data_dir: Path
    provider: str
    account: str | None = None

    @property
    def path(self) -> Path:
        if self.provider not in PROVIDERS:
            raise SigninError(f"unknown provider {self.provider!r}: one of {', '.join(PROVIDERS)}")
        if self.account is not None and not _ACCOUNT.match(self.account):
            raise SigninError(f"--account {self.account!r}: use letters, digits and . _ @ + - only")
        suffix = f"-{self.account}" if self.account else ""
        return self.data_dir / "oauth2" / f"{self.provider}{suffix}.json"

    def load(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SigninError(f"not signed in to {self.provider}{self._named()}: run `refmail auth login "
                              f"--provider {self.provider}{self._flag()}` first") from None
        except ValueError as exc:
            raise SigninError(f"{self.path} is damaged ({exc}): run `refmail auth login --provider "
                              f"{self.provider}{self._flag()}` again") from None

    def save(self, data: dict[str, Any]) -> None:
        private_dir(self.path.parent)
        write_private(self.path, json.dumps(data, indent=1))

    def _named(self) -> str:
        return f" as {self.account}" if self.account else ""

    def _flag(self) -> str:
        return f" --account {self.account}" if self.account else ""


# ---- Microsoft (msal) ---------------------------------------------------------


def _msal_app(record: dict[str, Any], cache: Any) -> Any:
    import msal

    custom = record["authority"] != MICROSOFT_AUTHORITY  # a national cloud, or a test's own endpoint
    return msal.PublicClientApplication(record["client_id"], authority=f"{record['authority']}/{record['tenant']}",
                                        token_cache=cache, instance_discovery=False if custom else None)


def microsoft_login(store: Store, client_id: str, tenant: str, authority: str, say: Callable[[str], None]) -> str:
    """Device-code flow: she opens the page msal names and types the code; returns the signed-in user name."""
    import msal

    record = {"provider": "microsoft", "client_id": client_id, "tenant": tenant, "authority": authority.rstrip("/")}
    cache = msal.SerializableTokenCache()
    try:
        app = _msal_app(record, cache)
        flow = app.initiate_device_flow(scopes=MICROSOFT_SCOPES)
        if "user_code" not in flow:
            raise SigninError(f"Microsoft did not start the sign-in: {_msal_error(flow)}")
        say(flow["message"])
        result = app.acquire_token_by_device_flow(flow)  # waits while she signs in, as long as the code lives
    except _network_errors() as exc:
        raise SigninError(f"could not reach Microsoft ({exc}); check the connection (and --authority)") from None
    if "access_token" not in result:
        raise SigninError(f"Microsoft sign-in failed: {_msal_error(result)}")
    username = (result.get("id_token_claims") or {}).get("preferred_username", "")
    store.save(record | {"username": username, "cache": cache.serialize()})
    return username


def microsoft_token(store: Store) -> str:
    """A current access token from the cache, refreshed by msal when it is about to expire."""
    import msal

    record = store.load()
    cache = msal.SerializableTokenCache()
    cache.deserialize(record["cache"])
    app = _msal_app(record, cache)
    accounts = app.get_accounts(username=record.get("username") or None)
    try:
        result = app.acquire_token_silent(MICROSOFT_SCOPES, account=accounts[0]) if accounts else None
    except _network_errors() as exc:
        raise SigninError(f"could not reach Microsoft to refresh the access token ({exc}); "
                          "it is tried again at the next login") from None
    if cache.has_state_changed:  # a refreshed (and perhaps rotated) refresh token must be kept
        store.save(record | {"cache": cache.serialize()})
    if not result or "access_token" not in result:
        why = _msal_error(result) if result else "no usable refresh token"
        raise SigninError(f"Microsoft sign-in has expired or was revoked ({why}): run `refmail auth login "
                          f"--provider microsoft{store._flag()}` again")
    return str(result["access_token"])


def _network_errors() -> tuple[type[BaseException], ...]:
    import requests  # msal's and google-auth's transport

    return (requests.RequestException,)


def _msal_error(result: dict[str, Any]) -> str:
    return str(result.get("error_description") or result.get("error") or result).splitlines()[0]


# ---- Google (google-auth-oauthlib, google-auth) --------------------------------


def google_login(store: Store, client_secrets: Path, say: Callable[[str], None], open_browser: bool) -> None:
    """Installed-app flow: a browser on this machine signs in and comes back to a loopback address."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=GOOGLE_SCOPES)
    except (OSError, ValueError) as exc:
        raise SigninError(f"--client-secrets {client_secrets}: {exc} (download it from Google Cloud console, "
                          "APIs & Services > Credentials, a Desktop app client)") from None
    say("Open this address in a browser on this machine (from elsewhere, forward the port shown in it with "
        "ssh -L) and allow access to Gmail:")
    try:
        credentials = flow.run_local_server(host="127.0.0.1", port=0, open_browser=open_browser,
                                            authorization_prompt_message="{url}", access_type="offline",
                                            prompt="consent")
    except Exception as exc:  # oauthlib's and requests' errors: the exchange with Google failed
        raise SigninError(f"Google sign-in failed: {type(exc).__name__}: {exc}") from None
    if not credentials.refresh_token:
        raise SigninError("Google gave no refresh token: remove refmail's access at "
                          "https://myaccount.google.com/permissions and run the login again")
    store.save({"provider": "google", "credentials": json.loads(credentials.to_json())})


def google_token(store: Store) -> str:
    """The stored access token while it is valid, else a refreshed one (kept for the next call)."""
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    record = store.load()
    # google-auth always refreshes at Google's own token endpoint, whatever the file says.
    credentials = Credentials.from_authorized_user_info(record["credentials"], scopes=GOOGLE_SCOPES)
    if not credentials.valid:
        try:
            credentials.refresh(Request())
        except TransportError as exc:
            raise SigninError(f"could not reach Google to refresh the access token ({exc}); "
                              "it is tried again at the next login") from None
        except RefreshError as exc:
            raise SigninError(f"Google sign-in has expired or was revoked ({exc}): run `refmail auth login "
                              f"--provider google{store._flag()}` again") from None
        store.save(record | {"credentials": json.loads(credentials.to_json())})
    return str(credentials.token)


def access_token(store: Store) -> str:
    return microsoft_token(store) if store.provider == "microsoft" else google_token(store)

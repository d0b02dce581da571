"""`refmail auth login|token` with the providers' own libraries (msal, google-auth-oauthlib, google-auth)
talking to a local HTTPS identity provider: the device-code and loopback sign-ins, the 0600 store, the
refresh when a token is about to expire, and the clear error once the sign-in is revoked."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.harness import _in_process
from tests.identity_server import IdentityProvider

pytestmark = pytest.mark.integration


@pytest.fixture
def idp(tmp_path):  # type: ignore[no-untyped-def]
    provider = IdentityProvider(tmp_path).start()
    yield provider
    provider.stop()


@pytest.fixture
def env(idp, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("REFMAIL_")}
    return base | {"REFMAIL_DATA_DIR": str(tmp_path / "data"), "REQUESTS_CA_BUNDLE": str(idp.cert)}


def refmail(env: dict[str, str], cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return _in_process(list(argv), env, cwd)


def ms_login(idp, env, tmp_path, *extra: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return refmail(env, tmp_path, "auth", "login", "--provider", "microsoft", "--client-id", "client-123",
                   "--tenant", idp.tenant, "--authority", idp.base, *extra)


def test_microsoft_device_code_sign_in_keeps_the_refresh_token_private(idp, env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = ms_login(idp, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "enter the code WXYZ-1234" in done.stderr  # msal's own instructions, on the terminal
    assert "signed in to microsoft as olivia@example.com" in done.stdout
    assert "refmail auth token --provider microsoft" in done.stdout
    assert idp.grants[-1]["grant_type"] == "urn:ietf:params:oauth:grant-type:device_code"
    scope = idp.device_requests[-1]["scope"].split()
    assert {"https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send",
            "offline_access"} <= set(scope)
    store = tmp_path / "data" / "oauth2" / "microsoft.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600 and stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert next(iter(idp.refresh_tokens)) in store.read_text()
    assert idp.access_tokens[-1] not in done.stdout + done.stderr


def test_microsoft_token_is_cached_then_refreshed_then_refused_clearly(idp, env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert ms_login(idp, env, tmp_path).returncode == 0
    first = refmail(env, tmp_path, "auth", "token", "--provider", "microsoft")
    assert first.returncode == 0 and first.stdout.strip() == idp.access_tokens[-1]
    assert len(idp.grants) == 1  # still valid: no request at all

    idp.expires_in = 60  # msal refreshes a token this close to its end
    store = tmp_path / "data" / "oauth2" / "microsoft.json"
    old_refresh = next(iter(idp.refresh_tokens))
    refresh = refmail(env, tmp_path, "auth", "token", "--provider", "microsoft")  # cached one still 3600 s
    assert refresh.stdout.strip() == first.stdout.strip()
    data = json.loads(store.read_text())
    cache = json.loads(data["cache"])
    for entry in cache["AccessToken"].values():  # her token is now close to its end
        entry["expires_on"] = entry["extended_expires_on"] = str(int(entry["cached_at"]) + 60)
    store.write_text(json.dumps(data | {"cache": json.dumps(cache)}))
    refreshed = refmail(env, tmp_path, "auth", "token", "--provider", "microsoft")
    assert refreshed.returncode == 0, refreshed.stderr
    assert idp.grants[-1]["grant_type"] == "refresh_token" and idp.grants[-1]["refresh_token"] == old_refresh
    assert refreshed.stdout.strip() == idp.access_tokens[-1] != first.stdout.strip()
    assert next(iter(idp.refresh_tokens)) in store.read_text()  # the rotated refresh token was kept
    assert stat.S_IMODE(store.stat().st_mode) == 0o600

    idp.revoke_refresh_tokens()
    again = refmail(env, tmp_path, "auth", "token", "--provider", "microsoft")  # expires_in=60: refresh again
    assert again.returncode == 1 and again.stdout == ""
    assert "Microsoft sign-in has expired or was revoked" in again.stderr
    assert "run `refmail auth login --provider microsoft` again" in again.stderr


def test_token_before_login_and_login_without_a_client_say_what_to_do(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = refmail(env, tmp_path, "auth", "token", "--provider", "microsoft", "--account", "intake")
    assert done.returncode == 1
    assert "run `refmail auth login --provider microsoft --account intake` first" in done.stderr
    done = refmail(env, tmp_path, "auth", "login", "--provider", "microsoft")
    assert done.returncode == 1 and "--client-id is needed" in done.stderr and "docs/microsoft365.md" in done.stderr
    done = refmail(env, tmp_path, "auth", "login", "--provider", "google")
    assert done.returncode == 1 and "--client-secrets is needed" in done.stderr


def test_google_loopback_sign_in_then_refresh(idp, env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    secrets_file = tmp_path / "client_secret.json"
    secrets_file.write_text(json.dumps({"installed": {
        "client_id": "gclient.apps.googleusercontent.com", "client_secret": "not-so-secret",
        "auth_uri": f"{idp.base}/o/oauth2/auth", "token_uri": idp.token_url,
        "redirect_uris": ["http://localhost"]}}))
    # The real command, so the test can play the browser: read the address it prints, come back with a code.
    login = subprocess.Popen([sys.executable, "-m", "refmail", "auth", "login", "--provider", "google",
                              "--client-secrets", str(secrets_file), "--no-browser"], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert login.stdout is not None
    url = ""
    for line in login.stdout:
        if line.startswith(f"{idp.base}/o/oauth2/auth"):
            url = line.strip()
            break
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["scope"] == ["https://mail.google.com/"] and query["access_type"] == ["offline"]
    redirect = query["redirect_uri"][0]
    assert re.match(r"http://127\.0\.0\.1:\d+/$", redirect)
    urllib.request.urlopen(f"{redirect}?state={query['state'][0]}&code=code-1&scope=https://mail.google.com/",
                           timeout=10).read()
    out, err = login.communicate(timeout=60)
    assert login.returncode == 0, err
    assert "signed in to google" in out
    assert idp.grants[-1]["grant_type"] == "authorization_code" and idp.grants[-1]["code"] == "code-1"
    store = tmp_path / "data" / "oauth2" / "google.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600

    token = refmail(env, tmp_path, "auth", "token", "--provider", "google")
    assert token.stdout.strip() == idp.access_tokens[-1] and len(idp.grants) == 1
    # Refreshing: google-auth always sends the refresh to Google's own endpoint (whatever the file says), so
    # here it cannot reach it: a clear error, no token printed, the sign-in kept for the next try.
    data = json.loads(store.read_text())
    data["credentials"]["expiry"] = "2020-01-01T00:00:00Z"  # long expired
    store.write_text(json.dumps(data))
    refresh = refmail(env, tmp_path, "auth", "token", "--provider", "google")
    assert refresh.returncode == 1 and refresh.stdout == "" and len(idp.grants) == 1
    assert refresh.stderr.startswith("refmail auth: ") and "Google" in refresh.stderr
    assert "Traceback" not in refresh.stderr and json.loads(store.read_text()) == data


def test_an_unreachable_sign_in_service_is_said_plainly(env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from refmail.mail.world import free_port

    done = refmail(env, tmp_path, "auth", "login", "--provider", "microsoft", "--client-id", "c",
                   "--authority", f"https://127.0.0.1:{free_port()}")
    assert done.returncode == 1 and "refmail auth: could not reach Microsoft" in done.stderr
    assert "Traceback" not in done.stderr

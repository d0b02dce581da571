"""`refmail auth login|token --provider microsoft|google`: sign in once, then print fresh access tokens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from refmail.mail.signin import MICROSOFT_AUTHORITY, PROVIDERS

DOCS = {"microsoft": "docs/microsoft365.md", "google": "docs/gmail.md"}


def add_parser(sub: Any) -> None:
    auth = sub.add_parser("auth", help="OAuth2 sign-in for Microsoft 365 or Gmail (XOAUTH2)")
    actions = auth.add_subparsers(dest="auth_command", required=True, metavar="ACTION")
    login = actions.add_parser("login", help="sign in once; the refresh token is kept 0600 in the data folder")
    token = actions.add_parser("token", help="print a current access token (the OAUTH2_TOKEN_COMMAND)")
    for parser in (login, token):
        parser.add_argument("--provider", required=True, choices=PROVIDERS)
        parser.add_argument("--account", help="a name for a second sign-in with the same provider (e.g. the "
                            "assistant's mailbox); the same name for login and token")
    login.add_argument("--client-id", help="Microsoft: the Application (client) ID of the app you registered "
                       "(docs/microsoft365.md)")
    login.add_argument("--tenant", default="organizations",
                       help="Microsoft: organizations (work or school, the default), consumers (outlook.com), "
                       "common, or your tenant ID")
    login.add_argument("--authority", default=MICROSOFT_AUTHORITY,
                       help=f"Microsoft: the sign-in service (default {MICROSOFT_AUTHORITY}; another for a "
                       "national cloud)")
    login.add_argument("--client-secrets", type=Path, metavar="FILE",
                       help="Google: the client_secret_....json of your Desktop app client (docs/gmail.md)")
    login.add_argument("--no-browser", action="store_true", help="Google: print the address, open no browser")


def run(args: argparse.Namespace) -> int:
    from refmail.config import ConfigError, load_settings
    from refmail.mail.signin import SigninError, Store

    try:
        data_dir = load_settings(config_file=args.config, need_owner=False).data_dir
        store = Store(data_dir, args.provider, args.account)
        if args.auth_command == "token":
            print(_token(store))
            return 0
        return _login(store, args)
    except (SigninError, ConfigError) as exc:
        print(f"refmail auth: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"refmail auth: {exc.name} is not installed: pip install 'refmail[oauth2]'", file=sys.stderr)
        return 1


def _token(store: Any) -> str:
    from refmail.mail.signin import access_token

    return access_token(store)


def _login(store: Any, args: argparse.Namespace) -> int:
    from refmail.mail.signin import SigninError, google_login, microsoft_login

    def say(text: str) -> None:  # the prompt goes to the terminal even when stdout is piped
        print(text, file=sys.stderr, flush=True)

    if args.provider == "microsoft":
        if not args.client_id:
            raise SigninError("--client-id is needed: register an app for refmail in Microsoft Entra "
                              f"(the steps are in {DOCS['microsoft']}) and give its Application (client) ID")
        who = microsoft_login(store, args.client_id, args.tenant, args.authority, say)
        where = f" as {who}" if who else ""
    else:
        if not args.client_secrets:
            raise SigninError("--client-secrets is needed: create a Desktop app OAuth client in Google Cloud "
                              f"console (the steps are in {DOCS['google']}) and give its JSON file")
        google_login(store, args.client_secrets, say, open_browser=not args.no_browser)
        where = ""
    account = f" --account {args.account}" if args.account else ""
    print(f"signed in to {args.provider}{where}; the refresh token is kept in {store.path} (readable only by you)")
    print(f"set REFMAIL_IMAP_OAUTH2_TOKEN_COMMAND and REFMAIL_SMTP_OAUTH2_TOKEN_COMMAND to: "
          f"refmail auth token --provider {args.provider}{account}")
    return 0

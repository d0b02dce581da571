"""The private Dovecot configuration of a MailWorld: plaintext IMAP on loopback, one passwd-file per user."""

from __future__ import annotations

from pathlib import Path

_CONFIG = """\
# Private, throw-away Dovecot for refmail tests and demos. Never /etc/dovecot.
base_dir = {run}
state_dir = {state}
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = {host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth2_mechanisms}
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_max_userip_connections = 1000
# The world is single-host and short-lived: skip fsync for speed.
mail_fsync = never

service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  chroot =
}}
service submission-login {{
  chroot =
}}
service anvil {{
  chroot =
  # No auth penalty: it is per IP, so one wrong-password test would delay every later
  # login from 127.0.0.1 by ~4 s (auth_failure_delay = 0 does not cover it).
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}

# One passwd-file per user: Dovecot re-stats a passwd-file at most once a second, so a
# single shared file would hide a user added moments after a login; a new path is read at once.
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%Lu {dir}/users/%Lu
}}
{oauth2_passdb}userdb {{
  driver = passwd-file
  args = username_format=%Lu {dir}/users/%Lu
}}

namespace inbox {{
  inbox = yes
  separator = /
{mailboxes}
}}
"""

_SPECIAL_MAILBOXES = """\
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }"""


# OAuth2 bearer tokens (XOAUTH2, OAUTHBEARER) checked against a token-introspection endpoint.
_OAUTH2_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {path}
}}
"""

_OAUTH2_ARGS = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


def dovecot_config(*, run: Path, state: Path, directory: Path, host: str, port: int, login_user: str,
                   internal_user: str, special_use: bool, oauth2_args: Path | None = None) -> str:
    """`oauth2_args`: the file written by oauth2_args(); Dovecot then also takes XOAUTH2 and OAUTHBEARER."""
    return _CONFIG.format(run=run, state=state, dir=directory, host=host, port=port, login_user=login_user,
                          internal_user=internal_user, mailboxes=_SPECIAL_MAILBOXES if special_use else "",
                          oauth2_mechanisms=" xoauth2 oauthbearer" if oauth2_args else "",
                          oauth2_passdb=_OAUTH2_PASSDB.format(path=oauth2_args) if oauth2_args else "")


def oauth2_args(introspection_url: str) -> str:
    """The oauth2 passdb's own file (dovecot-oauth2.conf.ext): ask `introspection_url` about every token."""
    return _OAUTH2_ARGS.format(url=introspection_url)

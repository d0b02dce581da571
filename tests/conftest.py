"""Shared pytest configuration: each area registers its fixture plugin module here."""

pytest_plugins = [
    # --- mail world (Dovecot + aiosmtpd) and mail adapters: tests/fixtures_mail.py ---
    "tests.fixtures_mail",
    # --- databases (SQLite file, throw-away PostgreSQL): tests/fixtures_db.py ---
    "tests.fixtures_db",
]

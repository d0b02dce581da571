"""Measurements of refmail on labelled mail (not part of the installed package)."""

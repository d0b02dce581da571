"""Fitting the intro model from the labelled corpora (`python -m refmail.training`); never imported at run time."""

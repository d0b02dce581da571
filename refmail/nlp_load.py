"""Loads what detection reads with from disk (spaCy, the shipped text classifier, the fitted weights)
into a domain Pipeline: once per process, by wiring, on the first message to understand."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.language import Language

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.nlp import Pipeline, make_pipeline
from refmail.domain.scoring import IntroModel, PersonModel

# Shipped inside the package, rebuilt by `python -m refmail.training` (README, "Understanding").
BUILTIN_MODEL = Path(__file__).resolve().parent / "data" / "intro_model"
PEOPLE = "people.json"  # the person model, beside the intro model
KNOWN = "known_words.txt"  # the words the text classifier was trained on, one per line


def model_dir(name: str) -> Path:
    return BUILTIN_MODEL if name == "builtin" else Path(name)


def load_pipeline(rules: DetectionRules, model: str | None = "builtin") -> Pipeline:
    """``model`` None builds the cue readers alone (training); else the fitted model and its text classifier."""
    folder = model_dir(model) if model is not None else None
    textcat_dir = folder / "textcat" if folder is not None else None
    nlp = spacy.load(textcat_dir) if textcat_dir is not None and textcat_dir.exists() else spacy.blank("en")
    weights = IntroModel.from_mapping(json.loads((folder / "weights.json").read_text())) if folder else None
    people_file = folder / PEOPLE if folder is not None else None
    people = PersonModel.from_mapping(json.loads(people_file.read_text())) if people_file and people_file.exists() else None
    known = _known_words(folder / KNOWN) if folder is not None else frozenset()
    return make_pipeline(nlp, rules, ner=_ner(rules.pipeline), model=weights, people=people, known=known)


def _known_words(path: Path) -> frozenset[str]:
    """The words the text classifier was trained on; none for a model written before it kept them."""
    if not path.exists():
        return frozenset()
    return frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}


def _ner(name: str) -> Language | None:
    """The trained pipeline rules.yaml names, for its PERSON entities; None for blank, or when it is
    not installed (the rules alone still reach the targets) or finds no names."""
    if name == "blank":
        return None
    try:
        ner = spacy.load(name, exclude=["parser", "lemmatizer", "textcat"])
    except OSError:
        return None
    return ner if {"ner", "entity_ruler", "span_ruler"} & set(ner.pipe_names) else None


def missing_pipeline(rules: DetectionRules) -> str | None:
    """The trained pipeline rules.yaml names but spaCy cannot load (or that finds no names), else None."""
    if rules.pipeline == "blank":
        return None
    return rules.pipeline if _ner(rules.pipeline) is None else None

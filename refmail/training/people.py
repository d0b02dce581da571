"""Fit the person model: of the people an intro addresses, which does it introduce?

Every labelled intro whose writer refmail reads right gives one example per person it addresses (when
there is more than one): her cues (refmail.domain.introduced) and whether the writer of the mail
labelled her a prospect. The line is chosen on the held-out writers, as the intro model's is.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from refmail.domain.detection_rules import DetectionRules
from refmail.domain.extract import parties
from refmail.domain.introduced import choose
from refmail.domain.nlp import Pipeline, person_names
from refmail.domain.parse import parse_message
from refmail.domain.pipeline import intro_candidates
from refmail.domain.scoring import PersonModel
from refmail.domain.types import ParsedMessage, Person
from refmail.nlp_load import PEOPLE, load_pipeline
from refmail.training.corpus import CURATED, email_of, identity_for, load_labels, validation_writers
from refmail.training.logistic import logistic_cv

THRESHOLDS = [x / 20 for x in range(4, 20)]  # 0.20 .. 0.95
PLATEAU = 0.02
MIN_INTROS = 50
MIN_SEEN = 3  # a window word seen in fewer examples than this is noise, not a cue


@dataclass(frozen=True)
class Choice:
    """One intro's addressed people: their cues, who is introduced, and how much the example counts."""

    key: str
    people: tuple[str, ...]
    cues: tuple[dict[str, float], ...]
    introduced: frozenset[str]
    weight: float


def choice_of(folder: Path, label: dict, pipe: Pipeline, rules: DetectionRules) -> Choice | None:
    if label["kind"] != "intro":
        return None
    msg = parse_message((folder / label["file"]).read_bytes())
    if not isinstance(msg, ParsedMessage):
        return None
    identity = identity_for(label)
    referrer = email_of(label.get("referrer"))
    want = frozenset(email_of(p) for p in label.get("prospects") or ())
    for cand in intro_candidates(msg, identity, rules):
        who = parties(cand, msg, identity, person_names(pipe, cand.body))
        pool = tuple(p.email for p, _ in who.considered)
        if who.referrer is not None and who.referrer.email == referrer and want & set(pool):
            return Choice(f"{folder.name}/{label['file']}", pool, tuple(dict(c) for _, c in who.considered),
                          want & set(pool), CURATED.get(folder.name, 1.0))
    return None


def load_choices(folders: list[Path], rules: DetectionRules) -> tuple[list[Choice], list[Choice]]:
    """(training, validation) choices; validation holds the newest writers whole, as for the intro model."""
    pipe = load_pipeline(rules, model=None)
    held_out = validation_writers(folders)
    train: list[Choice] = []
    validation: list[Choice] = []
    for folder in folders:
        for label in load_labels(folder):
            choice = choice_of(folder, label, pipe, rules)
            if choice is not None:
                (validation if folder in held_out else train).append(choice)
    return train, validation


def fit_people(choices: list[Choice], cs: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0, 3.0)) -> tuple[PersonModel, float]:
    """The person model and the regularisation C it was fit with (chosen by cross-validation among ``cs``)."""
    from sklearn.feature_extraction import DictVectorizer  # training only: never a run-time dependency

    seen = Counter(name for c in choices for cue in c.cues for name in cue)
    rows = [{k: v for k, v in cue.items() if seen[k] >= MIN_SEEN} for c in choices for cue in c.cues]
    labels = [p in c.introduced for c in choices for p in c.people]
    weights = [c.weight for c in choices for _ in c.people]
    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    model = logistic_cv(list(cs))
    model.fit(x, labels, sample_weight=weights)
    print(f"  person model: {len(rows)} people in {len(choices)} intros, {x.shape[1]} cues, "
          f"C={model.C_:g}" + (" (chosen by cross-validation)" if len(cs) > 1 else " (the one the line was chosen with)"))
    names = vec.get_feature_names_out()
    coef = model.coef_[0]
    return PersonModel({str(n): round(float(w), 5) for n, w in zip(names, coef) if abs(w) > 1e-6},
                       float(model.intercept_[0])), float(model.C_)


def exact(choices: list[Choice], model: PersonModel | None) -> float:
    """Share of intros whose introduced people are exactly right (``model`` None: the hand rules)."""
    right = 0
    for c in choices:
        if model is None:
            got = {p for p, cue in zip(c.people, c.cues) if cue["rule_kept"]}
        else:
            got = {p.email for p in choose(tuple(Person("", e) for e in c.people), list(c.cues), model)}
        right += got == c.introduced
    return right / len(choices) if choices else 1.0


def build_people(out: Path, folders: list[Path], rules: DetectionRules | None = None) -> PersonModel | None:
    """Fit on the training writers, choose the line on the held-out ones, refit on all; write ``out``/people.json."""
    rules = rules or DetectionRules()
    train, validation = load_choices(folders, rules)
    kinds = {p in c.introduced for c in train for p in c.people}
    if len(train) < MIN_INTROS or len(kinds) < 2:
        print(f"person model: {len(train)} intros with a choice to make, too few to learn from; the hand rules decide")
        return None
    model, c = fit_people(train)
    rules_exact = exact(validation, None)
    trials = [(t, exact(validation, PersonModel(model.weights, model.bias, t))) for t in THRESHOLDS]
    for t, score in trials:
        print(f"  person line {t:.2f}: validation exactly right {score:.3f} (hand rules {rules_exact:.3f})")
    # The middle of the plateau within a point of the best: its peak is a few intros' noise.
    best = max(score for _, score in trials)
    good = [t for t, score in trials if score >= best - PLATEAU]
    threshold = good[(len(good) - 1) // 2]
    best = dict(trials)[threshold]
    model, _ = fit_people(train + validation, cs=(c,))  # the line's scale: the C it was chosen with
    about = {"intros": len(train) + len(validation), "validation_intros": len(validation),
             "validation_exact": round(best, 4), "validation_exact_hand_rules": round(rules_exact, 4)}
    model = PersonModel(model.weights, model.bias, threshold, about)
    out.mkdir(parents=True, exist_ok=True)
    (out / PEOPLE).write_text(json.dumps(model.as_mapping(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"person line {threshold} (validation exactly right {best:.3f}, hand rules {rules_exact:.3f}); "
          f"written to {out / PEOPLE}")
    return model

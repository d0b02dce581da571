"""Issue 11: availability cues ("only in town till Friday") are deadlines, in several languages; a day alone is not."""

from __future__ import annotations

import pytest

from refmail.domain.availability import availability
from refmail.domain.detection_rules import DetectionRules
from tests.reading import pipe_for
from refmail.domain.types import Urgency
from refmail.domain.urgency import urgency

WINDOWS = [
    "She's only in town till Friday, so worth moving fast.",
    "He leaves on Thursday.",
    "I'm only here through Wednesday.",
    "They need to decide before the end of the quarter.",
    "Dan is in London until Tuesday.",
    "She is flying back on Monday.",
    "He's around until the end of this week.",
    "Ideally before quarter-end.",
    "Carol is only here till tomorrow.",
    "Sie ist nur noch bis Freitag in der Stadt.",
    "Er reist am Donnerstag ab.",
    "Wir müssen vor Ende des Quartals entscheiden.",
    "Elle n'est là que jusqu'à vendredi.",
    "Il part jeudi.",
    "Il faut signer avant la fin du trimestre.",
    "Solo está en la ciudad hasta el viernes.",
    "Se va el jueves.",
    "Lo necesitan antes de fin de trimestre.",
    "Ze is maar tot vrijdag in de stad.",
    "Hij vertrekt donderdag.",
    "Het moet voor het einde van het kwartaal rond zijn.",
]
NOT_WINDOWS = [
    "I met her in town on Friday.",
    "He left on Thursday and is back now.",
    "She was in town till Friday last week.",
    "We had a great quarter.",
    "See you on Friday!",
    "Open Monday to Friday.",
    "Ich habe sie am Freitag in der Stadt getroffen.",
    "Je l'ai vue en ville vendredi.",
    "La conocí en la ciudad el viernes.",
    "Ik zag hem vrijdag in de stad.",
    "> She's only in town till Friday (quoted from an old thread)",
]


@pytest.mark.parametrize("text", WINDOWS)
def test_a_closing_window_is_found(text: str) -> None:
    assert availability(text)


@pytest.mark.parametrize("text", NOT_WINDOWS)
def test_a_day_alone_or_the_past_is_not_a_window(text: str) -> None:
    assert availability(text) is None


def intro(sentence: str) -> str:
    return f"Olivia, meet Carol: she runs operations at Prospect & Co. {sentence}\nCarol, meet Olivia.\n\nAlice\n"


@pytest.mark.parametrize("sentence", ["She's only in town till Friday.", "He leaves on Thursday.",
                                      "Elle n'est là que jusqu'à vendredi."])
def test_an_intro_with_a_closing_window_runs_the_deadline_cadence(sentence: str) -> None:
    kind, phrase = urgency(pipe_for(DetectionRules()), intro(sentence))
    assert kind is Urgency.DEADLINE and phrase


def test_no_rush_still_wins_over_a_window() -> None:
    kind, _ = urgency(pipe_for(DetectionRules()), intro("No rush at all; she's in town until Friday."))
    assert kind is Urgency.RELAXED


def test_a_meeting_in_the_past_is_no_deadline() -> None:
    assert urgency(pipe_for(DetectionRules()), intro("I met her in town on Friday."))[0] is None

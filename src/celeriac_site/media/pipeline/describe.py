"""Template descriptions (pure): what was recognised, never a subject below the confidence threshold."""

from __future__ import annotations

from dataclasses import dataclass

#: Recorded as the description's source; bump the version when the wording changes.
TEMPLATE_SOURCE = "template:v1"

#: A subject is named only when the classifier is at least this sure of it. Tags may be assigned
#: at lower confidence (they are for search); a sentence states a fact, so it needs more.
DESCRIBE_MIN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class DescriptionFacts:
    """What a description may say about one photo or one video's middle frame."""

    kind: str  # "photo" | "video"
    subject: str | None = None  # noun phrase, e.g. "a cat"
    subject_confidence: float = 0.0
    faces: int = 0
    colour: str | None = None  # e.g. "orange", "black and white"
    brightness: str | None = None  # "dark" | "bright"
    duration_s: float | None = None


def _faces_phrase(n: int) -> str:
    return "one face" if n == 1 else f"{n} faces"


def _people_phrase(n: int) -> str:
    return "one person" if n == 1 else f"{n} people"


def _appearance(colour: str | None, brightness: str | None) -> str:
    parts = []
    if colour == "black and white":
        parts.append("In black and white")
    elif colour:
        parts.append(f"Mostly {colour}")
    if brightness:
        parts.append(brightness if parts else brightness.capitalize())
    return f" {', '.join(parts)}." if parts else ""


def describe(facts: DescriptionFacts) -> str:
    """One or two sentences from ``facts``; the subject is left out below the threshold."""
    subject = facts.subject if facts.subject and facts.subject_confidence >= DESCRIBE_MIN_CONFIDENCE else None
    if subject and facts.faces:
        seen = f"{subject}, with {_faces_phrase(facts.faces)}"
    elif subject:
        seen = subject
    elif facts.faces:
        seen = _people_phrase(facts.faces)
    else:
        seen = None
    if facts.kind == "video":
        length = f"A {facts.duration_s:.1f}-second video" if facts.duration_s else "A video"
        if seen:
            text = f"{length}; its middle frame shows {seen}."
        else:
            text = f"{length}; nothing in its middle frame was recognised with confidence."
    else:
        text = f"A photo of {seen}." if seen else "A photo; no subject was recognised with confidence."
    return text + _appearance(facts.colour, facts.brightness)

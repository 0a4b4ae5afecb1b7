"""From classifier probabilities and detector findings to tags with confidences (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

from celeriac_site.media.pipeline.tag_table import LABEL_RULES, TAGS, LabelRule, TagDef

NUM_CLASSES = 1000


class Source(StrEnum):
    """What assigned a tag."""

    CLASSIFIER = "classifier"
    FACES = "faces"
    COLOUR = "colour"
    BRIGHTNESS = "brightness"


@dataclass(frozen=True, order=True)
class TagScore:
    """One tag on one item: how sure, and which detector said so."""

    name: str
    confidence: float
    source: Source


class TagTable:
    """The tag tree and the label rules, checked for consistency when built."""

    def __init__(self, tags: Iterable[TagDef] = TAGS, rules: Iterable[LabelRule] = LABEL_RULES) -> None:
        self.tags: dict[str, TagDef] = {}
        for tag in tags:
            if tag.name in self.tags:
                raise ValueError(f"tag {tag.name!r} is defined twice")
            self.tags[tag.name] = tag
        self.rules = tuple(rules)
        seen: dict[int, str] = {}
        for rule in self.rules:
            if rule.tag not in self.tags:
                raise ValueError(f"label rule maps to unknown tag {rule.tag!r}")
            if not 0 < rule.threshold <= 1:
                raise ValueError(f"label rule for {rule.tag!r}: threshold must be in (0, 1]")
            for index in rule.indices:
                if not 0 <= index < NUM_CLASSES:
                    raise ValueError(f"rule for {rule.tag!r}: class {index} is not an ImageNet-1k index")
                if index in seen:
                    raise ValueError(f"class {index} is mapped twice ({seen[index]!r} and {rule.tag!r})")
                seen[index] = rule.tag
        for tag in self.tags.values():
            self.ancestors(tag.name)  # raises on unknown parents and cycles

    def ancestors(self, name: str) -> tuple[str, ...]:
        """Parent, grandparent, ... of ``name``, nearest first."""
        out: list[str] = []
        parent = self.tags[name].parent
        while parent is not None:
            if parent not in self.tags:
                raise ValueError(f"tag {name!r} has an unknown ancestor {parent!r}")
            if parent in out or parent == name:
                raise ValueError(f"tag {name!r} is its own ancestor")
            out.append(parent)
            parent = self.tags[parent].parent
        return tuple(out)

    def depth(self, name: str) -> int:
        return len(self.ancestors(name))

    def phrase(self, name: str) -> str:
        return self.tags[name].noun_phrase

    @cached_property
    def classifier_tags(self) -> frozenset[str]:
        """Tags the classifier can assign: those with rules, and their ancestors."""
        names = {rule.tag for rule in self.rules}
        return frozenset(names | {a for n in names for a in self.ancestors(n)})

    def score(self, probabilities: Sequence[float] | NDArray[np.floating[Any]]) -> list[TagScore]:
        """Classifier tags for one image's softmax over the 1000 ImageNet classes.

        A tag is assigned when one of its rows' summed probability reaches the row's threshold,
        or when the summed probability of every class under it reaches the tag's own threshold.
        An assigned tag brings its ancestors; each tag's confidence is the mass under it.
        """
        if len(probabilities) != NUM_CLASSES:
            raise ValueError(f"expected {NUM_CLASSES} probabilities, got {len(probabilities)}")
        mass: dict[str, float] = {}
        fired: set[str] = set()
        for rule in self.rules:
            row = sum(float(probabilities[i]) for i in rule.indices)
            if row >= rule.threshold:
                fired.add(rule.tag)
            for name in (rule.tag, *self.ancestors(rule.tag)):
                mass[name] = mass.get(name, 0.0) + row
        assigned = set(fired) | {n for n, m in mass.items() if m >= self.tags[n].threshold}
        assigned |= {a for n in list(assigned) for a in self.ancestors(n)}
        return [TagScore(n, round(min(mass[n], 1.0), 4), Source.CLASSIFIER) for n in sorted(assigned)]

    def with_ancestors(self, scores: Iterable[TagScore]) -> list[TagScore]:
        """Add each detector tag's ancestors with the same confidence and source."""
        out = list(scores)
        for score in list(out):
            out.extend(TagScore(a, score.confidence, score.source) for a in self.ancestors(score.name))
        return out

    def subject(self, scores: Iterable[TagScore], min_confidence: float) -> TagScore | None:
        """The most specific classifier tag at least ``min_confidence`` sure; ``None`` if there is none."""
        candidates = [s for s in scores if s.source is Source.CLASSIFIER and s.confidence >= min_confidence]
        if not candidates:
            return None
        return max(candidates, key=lambda s: (self.depth(s.name), s.confidence, s.name))


def merge(*groups: Iterable[TagScore]) -> list[TagScore]:
    """One score per tag name, the most confident; sorted by confidence, then name."""
    best: dict[str, TagScore] = {}
    for group in groups:
        for score in group:
            if score.name not in best or score.confidence > best[score.name].confidence:
                best[score.name] = score
    return sorted(best.values(), key=lambda s: (-s.confidence, s.name))


DEFAULT_TABLE = TagTable()

"""Probabilities to tags: per-row thresholds, aggregation up the tree, ancestors, the subject."""

from __future__ import annotations

import numpy as np

from celeriac_site.media.pipeline.tagging import DEFAULT_TABLE, Source, TagScore, merge

TABBY, TIGER_CAT, EGYPTIAN, LYNX, ESPRESSO, CUP, MISSILE, PROJECTILE = 281, 282, 285, 287, 967, 968, 657, 744


def probs(**by_index: float) -> np.ndarray:
    p = np.zeros(1000, dtype=np.float32)
    for key, value in by_index.items():
        p[int(key.removeprefix("i"))] = value
    rest = 1.0 - p.sum()
    p[p == 0] = rest / (p == 0).sum()  # the remaining mass, spread thin over every other class
    return p


def names(scores: list[TagScore]) -> dict[str, float]:
    return {s.name: s.confidence for s in scores}


def test_a_spread_over_cat_classes_tags_cat_but_not_tabby() -> None:
    # chelsea.png: tiger cat .38, Egyptian .37, tabby .16 (the model's real answer)
    tags = names(
        DEFAULT_TABLE.score(probs(**{f"i{TIGER_CAT}": 0.38, f"i{EGYPTIAN}": 0.37, f"i{TABBY}": 0.16}))
    )
    assert {"cat", "pet", "animal"} <= set(tags)
    assert "tabby" not in tags  # 0.16 < its row threshold 0.35
    assert abs(tags["cat"] - 0.91) < 0.01  # the mass of every class under "cat", tabby included


def test_a_confident_tabby_brings_the_whole_chain() -> None:
    tags = names(DEFAULT_TABLE.score(probs(**{f"i{TABBY}": 0.8})))
    assert {"tabby", "cat", "pet", "animal"} <= set(tags)
    assert tags["tabby"] <= tags["cat"] <= tags["pet"] <= tags["animal"]


def test_mass_split_across_rows_reaches_the_parent_only() -> None:
    # a missile at .2 and a projectile at .2 fire the rocket row together (.4 >= .3)
    tags = names(DEFAULT_TABLE.score(probs(**{f"i{MISSILE}": 0.2, f"i{PROJECTILE}": 0.2})))
    assert "rocket" in tags and "vehicle" in tags


def test_weak_evidence_assigns_nothing() -> None:
    tags = DEFAULT_TABLE.score(probs(**{f"i{ESPRESSO}": 0.1, f"i{LYNX}": 0.1}))
    assert tags == []


def test_the_subject_is_the_most_specific_confident_tag() -> None:
    scores = DEFAULT_TABLE.score(probs(**{f"i{ESPRESSO}": 0.9, f"i{CUP}": 0.05}))
    subject = DEFAULT_TABLE.subject(scores, min_confidence=0.5)
    assert subject is not None and subject.name == "coffee"
    assert DEFAULT_TABLE.subject(scores, min_confidence=0.95) is None


def test_detector_tags_are_never_the_subject() -> None:
    faces = DEFAULT_TABLE.with_ancestors([TagScore("face", 1.0, Source.FACES)])
    assert names(faces) == {"face": 1.0, "person": 1.0}
    assert DEFAULT_TABLE.subject(faces, min_confidence=0.1) is None


def test_merge_keeps_the_most_confident_score_per_tag() -> None:
    merged = merge(
        [TagScore("person", 0.4, Source.CLASSIFIER)],
        [TagScore("person", 1.0, Source.FACES), TagScore("blue", 0.3, Source.COLOUR)],
    )
    assert merged == [TagScore("person", 1.0, Source.FACES), TagScore("blue", 0.3, Source.COLOUR)]


def test_score_wants_1000_probabilities() -> None:
    import pytest

    with pytest.raises(ValueError, match="expected 1000"):
        DEFAULT_TABLE.score([0.5, 0.5])

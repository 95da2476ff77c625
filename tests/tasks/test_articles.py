"""No prompt says "a orange": every "a"/"an" of a generated or shipped prompt fits the next word's sound.

The rule here is this test's own (a vowel letter, less the words that start with a consonant sound),
not the generator's :func:`~codepaint_env.tasks.shapes.scenes.article`, so a wrong helper fails too.
"""

from __future__ import annotations

import re

import pytest

from codepaint_env.tasks import builtin_suites, load_suite
from codepaint_env.tasks.shapes.levels import LEVELS, hashed_text, split_of_description
from codepaint_env.tasks.shapes.scenes import article, indefinite
from codepaint_env.tasks.shapes.suite import level_tasks

#: Generated scenes per level and split whose prompts are read (in every language the generator writes).
PER_LEVEL = {"train": 200, "eval": 50}
_A_THEN_WORD = re.compile(r"\b([Aa]n?) ([A-Za-z][\w'-]*)")
#: Words that start with a vowel letter and a consonant sound ("a one-page site", "a unicorn").
_CONSONANT_SOUND = re.compile(r"^(one|once|uni|use|usu|eu)", re.I)
#: ...and with a consonant letter and a vowel sound ("an hour").
_VOWEL_SOUND = re.compile(r"^(hour|honest|honour|heir)", re.I)


def wrong_articles(text: str) -> list[str]:
    """Each "a" before a vowel sound and each "an" before a consonant sound in ``text``.

    A capitalised word after "an" is skipped: an initialism is said by its letters ("an SVG image").
    """
    wrong = []
    for m in _A_THEN_WORD.finditer(text):
        art, word = m.group(1).lower(), m.group(2)
        vowel_letter = word[0].lower() in "aeiou" and not _CONSONANT_SOUND.match(word)
        vowel = vowel_letter or bool(_VOWEL_SOUND.match(word))
        if (art == "a" and vowel) or (art == "an" and not vowel and not word[0].isupper()):
            wrong.append(m.group(0))
    return wrong


def test_the_rule_of_this_test():
    text = "Draw a orange wave above an red star, a one-page site, an SVG image, a unicorn."
    assert wrong_articles(text) == ["a orange", "an red"]
    assert wrong_articles("Draw an orange wave on a black background, an hour, a horizontal stripe.") == []


def test_the_helper_says_an_before_a_vowel_sound():
    assert indefinite("orange", "wave") == "an orange wave"
    assert indefinite("horizontal", "orange", "stripe") == "a horizontal orange stripe"
    assert indefinite("small", "orange", "circle") == "a small orange circle"
    words = ("orange", "unicorn", "one-page", "hour", "red")
    assert [article(w) for w in words] == ["an", "a", "a", "an", "a"]


@pytest.mark.parametrize("suite", builtin_suites())
def test_every_prompt_of_every_shipped_suite(suite: str):
    tasks = load_suite(suite)
    assert tasks
    wrong = {t.id: wrong_articles(t.prompt) for t in tasks if wrong_articles(t.prompt)}
    assert wrong == {}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("split", ["train", "eval"])
def test_every_prompt_of_the_generated_levels(level: int, split: str):
    tasks = level_tasks(level, PER_LEVEL[split], seed=0, split=split)
    wrong = {t.id: wrong_articles(t.prompt) for t in tasks if wrong_articles(t.prompt)}
    assert wrong == {}


def test_fixing_the_article_moved_no_scene_and_renamed_no_task():
    # Ids and splits are hashed from the description as version 4 wrote it ("a orange wave"): the ids
    # below are what they were then, in the split they were in (a run's held-out scenes stay held out).
    wave = level_tasks(0, 5, seed=0, split="eval", languages=["svg"])[4]
    assert wave.id == "shapes-l0-c36da0dfc0-svg" and wave.split == "eval"
    assert wave.prompt.startswith("Draw an orange wave on a black background")
    band = level_tasks(3, 25, seed=0, split="train", languages=["svg"])[24]
    assert band.id == "shapes-l3-e43dd297e1-svg" and band.split == "train"
    assert band.prompt.startswith("Draw three green squares above an orange wave on a navy background")
    assert hashed_text("an orange star above an orange wave on an orange background") == (
        "an orange star above a orange wave on an orange background")  # only the wave's, as it was
    assert split_of_description(wave.prompt[5:].split(",")[0]) == "eval"

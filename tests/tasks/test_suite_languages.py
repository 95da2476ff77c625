"""The shipped suites' languages come from the one language table, not from lists of their own."""

from __future__ import annotations

from codepaint_env.core.languages import LanguageSpec, register_language, unregister_language
from codepaint_env.render.languages import BUILTIN_LANGUAGES, LANGUAGES
from codepaint_env.tasks.knowledge import suite as knowledge_suite
from codepaint_env.tasks.shapes import programs
from codepaint_env.tasks.shapes import suite as shapes_suite
from rewards.testing.programs import LANGUAGES as TESTING_LANGUAGES


def test_the_suites_ask_in_the_built_in_languages_the_generator_writes():
    writers = {name for name in BUILTIN_LANGUAGES if LANGUAGES[name].scene_writer is not None}
    assert set(shapes_suite.SUITE_LANGUAGES) == set(knowledge_suite.SUITE_LANGUAGES) == writers
    assert shapes_suite.SUITE_LANGUAGES == knowledge_suite.SUITE_LANGUAGES
    assert shapes_suite.SUITE_LANGUAGES[0] == "svg"  # the rows' order since the first version
    assert "p5brush" in BUILTIN_LANGUAGES and "p5brush" not in writers  # no scene writer: no suite task
    assert TESTING_LANGUAGES == BUILTIN_LANGUAGES  # rewards.testing writes every built-in


def test_a_plugin_language_with_a_writer_joins_the_levels_not_the_versioned_suites():
    register_language(LanguageSpec(name="svgish", description="SVG by another name", suffixes=(".svgish",),
                                   scene_writer=LANGUAGES["svg"].scene_writer))
    try:
        assert "svgish" in programs.languages()
        assert "svgish" not in programs.suite_languages()
        assert programs.suite_languages() == shapes_suite.SUITE_LANGUAGES
    finally:
        unregister_language("svgish")

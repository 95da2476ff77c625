"""The one table of languages: everything codepaint knows about each language, in one place.

A :class:`LanguageSpec` names the backend class that renders the language, the file suffixes and
fence tags that name it, the test that detects it from code alone, the words rubrics and prompts
use for it, its default canvas, whether its pages can be interacted with, its Gymnasium id, and
what the layers above need to know about it: the fence a reply uses, how a task prompt asks for
it, the colour names its programs know, the shapes generator's writer, and the gate's specifics
(text-free by default, always textured, the markup the checks parse, what embeds a raster image).
Every other part (detection, extraction, the renderer, tasks, the shapes generator, rewards, the
reference pool, rubrics, prompts, recordings, the env ids, the CLI) asks this registry; adding a
language is one :func:`register_language` call plus its backend.

The table is data, and the one mechanism for what an upper layer contributes is a *reference*:
a callable, or a ``"module:attribute"`` string that :func:`resolve` imports when first used (as
Gymnasium's entry points), so the built-ins, registered in the render layer, can name the shapes
generator's writers in the tasks layer without importing upward.

The built-in six are registered by :mod:`codepaint_env.render.languages` (their backends live in
the render layer, above this one); importing :mod:`codepaint_env.render` registers them.

    >>> from codepaint_env.render import LANGUAGES          # doctest: +SKIP
    >>> LANGUAGES["svg"].suffixes, LANGUAGES["svg"].medium   # doctest: +SKIP
    (('.svg',), 'SVG illustration')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from codepaint_env.core.errors import UnknownLanguage

#: How the browser hosts a program (``LanguageSpec.page``); ``""``: not in the browser.
PAGE_KINDS: tuple[str, ...] = ("", "sketch", "image", "document")
#: The colour names a language's programs understand (``LanguageSpec.colour_names``): the CSS /
#: X11 names (SVG, HTML, p5.js, matplotlib, Pillow), LaTeX xcolor's, or none (colours by value).
COLOUR_VOCABULARIES: tuple[str, ...] = ("", "css", "xcolor")
#: The document formats checks parse (``LanguageSpec.markup``); ``""``: not a markup language.
MARKUPS: tuple[str, ...] = ("", "svg", "html")

#: A callable, or ``"module:attribute"`` naming one (imported when first used: :func:`resolve`).
Reference: TypeAlias = "str | Callable[..., Any]"


@dataclass(frozen=True)
class LanguageSpec:
    """A language codepaint renders.

    Attributes:
        name: The language's id (``"svg"``).
        description: One line for listings.
        backend: The class that renders it (see ``codepaint_env.render.backends.Backend``).
        alternatives: Other backends a caller may ask for by name (``{"fast": FastSvgBackend}``).
        suffixes: File-name endings that name it, most specific first; the first is used for
            files codepaint writes (``.p5brush.js``).
        fence_tags: Markdown fence tags that name it in a completion (```` ```svg ````).
        family: Languages of one family share fence tags and detection when extracting code from
            a completion (``"js"`` for p5 and p5brush); defaults to the name.
        detect: ``detect(source) -> bool`` on a :class:`~codepaint_env.render.detect.Source`: is
            this code in this language (from the code alone)? ``None``: never detected.
        detect_order: Detection tries languages in this order (lower first); the first whose
            ``detect`` says yes wins. Ties keep registration order.
        medium: What a picture in it is called in rubrics (``"SVG illustration"``).
        noun: What a program in it is called in instructions (``"SVG document"``).
        system_prompt: The default system prompt for a policy that writes it.
        default_size: The default canvas ``(width, height)``.
        interactive: Its renders are live pages an agent can click (browser languages).
        page: How the browser hosts a program (browser languages): ``"sketch"`` (a p5.js sketch,
            its canvas scaled to fit), ``"image"`` (an SVG document shown through ``<img>``) or
            ``"document"`` (the program is the page).
        libraries: Pinned JS a sketch page loads after p5.js (``("p5.brush",)`` for p5brush). A
            sketch with none is rendered with p5.js 1.x when it uses API only 1.x has.
        env_id: The Gymnasium id of its environment (``"CodePaint/SVG-v4"``), registered by
            ``import codepaint_env``; ``None``: no environment of its own.
        fence: The tag of the Markdown fence a reply is asked to use (```` ```js ````); one of
            ``fence_tags``. Defaults to the name when it is a fence tag.
        asked_as: How a task prompt asks for a program in it (``"as an SVG image"``: "Draw a red
            circle, as an SVG image."). Defaults to ``"as a <noun>"``.
        reference_prompt: A long-form system prompt (``system_prompt(language, "reference")``),
            kept to compare against the default; ``""``: none.
        colour_names: The colour names its programs understand, one of
            :data:`COLOUR_VOCABULARIES`: ``"css"``, ``"xcolor"``, or ``""`` (none: a prompt gives
            every colour's value).
        scene_writer: Writes a scene of the ``shapes`` generator as a program in this language
            (``writer(scene, spelling) -> str``; a :data:`Reference`); ``None``: the generator does
            not write it.
        text_free: Its tasks allow no text unless their ``allow_text`` column says so (the gate's
            ``no_text`` check; watercolours).
        textured: Its pictures always have texture, so a single flat block of colour is degenerate
            (the gate's ``not_degenerate`` check).
        markup: The document format its programs are, for checks that parse them
            (:data:`MARKUPS`: SVG's text elements and element counts, the HTML lint).
        raster_patterns: Regular expressions (case-insensitive) that find an embedded or loaded
            raster image in its programs (the ``no_image`` check).
    """

    name: str
    description: str
    backend: type | None = None
    alternatives: Mapping[str, type] = field(default_factory=dict)
    suffixes: tuple[str, ...] = ()
    fence_tags: frozenset[str] = frozenset()
    family: str = ""
    detect: Callable[[Any], bool] | None = None
    detect_order: int = 100
    medium: str = "picture"
    noun: str = "program"
    system_prompt: str = ""
    default_size: tuple[int, int] = (512, 512)
    interactive: bool = False
    page: str = ""
    libraries: tuple[str, ...] = ()
    env_id: str | None = None
    fence: str = ""
    asked_as: str = ""
    reference_prompt: str = ""
    colour_names: str = ""
    scene_writer: Reference | None = None
    text_free: bool = False
    textured: bool = False
    markup: str = ""
    raster_patterns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"language name {self.name!r}: letters, digits, '-' and '_' only")
        bad = [s for s in self.suffixes if not s.startswith(".")]
        if bad:
            raise ValueError(f"language {self.name!r}: suffixes start with a dot, not {bad}")
        if not self.family:
            object.__setattr__(self, "family", self.name)
        choices = (("page", PAGE_KINDS), ("colour_names", COLOUR_VOCABULARIES), ("markup", MARKUPS))
        for attr, allowed in choices:
            if getattr(self, attr) not in allowed:
                raise ValueError(f"language {self.name!r}: {attr}={getattr(self, attr)!r}; choose one of "
                                 f"{', '.join(repr(k) for k in allowed)}")
        if not self.fence:
            object.__setattr__(self, "fence", self.name if self.name in self.fence_tags or not self.fence_tags
                               else min(self.fence_tags))
        elif self.fence_tags and self.fence not in self.fence_tags:
            raise ValueError(f"language {self.name!r}: fence {self.fence!r} is not one of its fence_tags")
        if not self.asked_as:
            object.__setattr__(self, "asked_as", f"as a {self.noun}")
        if isinstance(self.scene_writer, str) and ":" not in self.scene_writer:
            raise ValueError(f"language {self.name!r}: scene_writer {self.scene_writer!r} must be a "
                             "callable or 'module:function'")

    @property
    def extension(self) -> str:
        """The suffix of files codepaint writes in this language (``.p5brush.js``; ``.txt``)."""
        return self.suffixes[0] if self.suffixes else ".txt"


class _Registry(Mapping[str, LanguageSpec]):
    """Name -> :class:`LanguageSpec`, in registration order (a read-only mapping)."""

    def __init__(self) -> None:
        self._specs: dict[str, LanguageSpec] = {}

    def __getitem__(self, name: str) -> LanguageSpec:
        return self._specs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"LANGUAGES({', '.join(self._specs)})"


#: Every registered language, by name.
LANGUAGES = _Registry()


#: Called with each language as it is registered (the Gymnasium ids of ``codepaint_env`` listen).
_listeners: list[Callable[[LanguageSpec], None]] = []


def on_register(listener: Callable[[LanguageSpec], None]) -> None:
    """Call ``listener(spec)`` for every language registered from now on (once, however often asked)."""
    if listener not in _listeners:
        _listeners.append(listener)


def register_language(spec: LanguageSpec) -> LanguageSpec:
    """Add a language (or replace the one of that name); returns it."""
    LANGUAGES._specs[spec.name] = spec
    for listener in list(_listeners):
        listener(spec)
    return spec


def unregister_language(name: str) -> None:
    """Remove a language (tests that register a toy language tidy up with it)."""
    LANGUAGES._specs.pop(name, None)


def language(name: str) -> LanguageSpec:
    """The spec of a registered language.

    Raises:
        UnknownLanguage: With the registered names.
    """
    try:
        return LANGUAGES[name]
    except KeyError:
        raise UnknownLanguage(f"unknown language {name!r}; registered: {', '.join(LANGUAGES)}") from None


def resolve(ref: Reference) -> Callable[..., Any]:
    """The callable a :data:`Reference` names (a ``"module:attribute"`` string is imported now).

    Raises:
        CodePaintError: The module or attribute cannot be found (a broken installation or a
            misspelt registration: the message names it).
    """
    if not isinstance(ref, str):
        return ref
    import importlib

    from codepaint_env.core.errors import CodePaintError

    module, _, attr = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as e:
        raise CodePaintError(f"the language table names {ref!r}, which cannot be loaded: {e}") from e


def by_suffix(path: str) -> str | None:
    """The language a file name's ending names (the longest matching suffix wins), else None."""
    name = path.lower()
    hits = [(len(s), spec.name) for spec in LANGUAGES.values() for s in spec.suffixes if name.endswith(s)]
    return max(hits)[1] if hits else None


#: The entry-point group a package names its languages in (``pyproject.toml``)::
#:
#:     [project.entry-points."codepaint.languages"]
#:     mermaid = "codepaint_mermaid:register"   # a module (importing it registers) or a callable
PLUGIN_GROUP = "codepaint.languages"


def load_language_plugins() -> list[str]:
    """Register the languages installed packages name in :data:`PLUGIN_GROUP`; their names.

    Each entry point is loaded: a module registers its languages when imported, a callable is
    called, a :class:`LanguageSpec` is registered. Called once when ``codepaint_env.render`` is
    imported (after the built-ins), so every part — the ``codepaint`` command included — sees them.

    Raises:
        CodePaintError: A plugin failed to load (a broken installation: the message names it).
    """
    from importlib.metadata import entry_points

    from codepaint_env.core.errors import CodePaintError

    loaded = []
    for ep in entry_points(group=PLUGIN_GROUP):
        try:
            obj = ep.load()
            if isinstance(obj, LanguageSpec):
                register_language(obj)
            elif callable(obj):
                obj()
        except Exception as e:
            raise CodePaintError(f"the codepaint language plugin {ep.name!r} ({ep.value}) failed to load: "
                                 f"{type(e).__name__}: {e}. Reinstall or uninstall the package that "
                                 "provides it.") from e
        loaded.append(ep.name)
    return loaded

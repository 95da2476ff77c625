"""The one table of languages: everything codepaint knows about each language, in one place.

A :class:`LanguageSpec` names the backend class that renders the language, the file suffixes and
fence tags that name it, the test that detects it from code alone, the words rubrics and prompts
use for it, its default canvas, and whether its pages can be interacted with. Every other part
(detection, extraction, the renderer, tasks, the reference pool, rubrics, prompts, recordings, the
CLI) asks this registry; adding a language is one :func:`register_language` call plus its backend.

The built-in six are registered by :mod:`codepaint_env.render.languages` (their backends live in
the render layer, above this one); importing :mod:`codepaint_env.render` registers them.

    >>> from codepaint_env.render import LANGUAGES          # doctest: +SKIP
    >>> LANGUAGES["svg"].suffixes, LANGUAGES["svg"].medium   # doctest: +SKIP
    (('.svg',), 'SVG illustration')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.errors import UnknownLanguage

#: How the browser hosts a program (``LanguageSpec.page``); ``""``: not in the browser.
PAGE_KINDS: tuple[str, ...] = ("", "sketch", "image", "document")


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
        env_id: The Gymnasium id of its environment (``"CodePaint/SVG-v0"``), registered when
            gymnasium is imported; ``None``: no environment of its own.
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

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"language name {self.name!r}: letters, digits, '-' and '_' only")
        bad = [s for s in self.suffixes if not s.startswith(".")]
        if bad:
            raise ValueError(f"language {self.name!r}: suffixes start with a dot, not {bad}")
        if not self.family:
            object.__setattr__(self, "family", self.name)
        if self.page not in PAGE_KINDS:
            raise ValueError(f"language {self.name!r}: page={self.page!r}; choose one of "
                             f"{', '.join(repr(k) for k in PAGE_KINDS)}")

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

"""What people type, read for the card search: other names for the cards, and query words matched loosely.

:func:`~codepaint_env.tasks.knowledge.search.search` ranks cards by BM25 over exact words; this
module supplies what exact words miss (issue 56 item 3, measured by
``benchmarks/knowledge_queries.py`` on ``benchmarks/data/knowledge-queries.jsonl``):

* :data:`COUNTRY_NAMES`: for each country, the short forms in common English use (``USA``,
  ``UK``, ``Britain``) and its own name in its own language, in Latin script or its usual
  romanisation (``Deutschland``, ``Suomi``, ``Nippon``). A flag card gets the names of the country
  its title names (:func:`extra_names`). Not the ISO 3166 codes wholesale: their two- and
  three-letter codes collide with words a query holds (``CAN``, ``PER``, ``DE``, ``LA``, ``NO``).
  Written once for every country with a card, not per query.
* :data:`FLAG_WORDS`: "flag" in other languages (``drapeau``, ``bandera``, ``Flagge``), read as
  ``flag``; those languages' articles and prepositions (:data:`FOREIGN_FUNCTION_WORDS`) dropped.
  (Digits are not read as number words: ``five`` for ``5`` sent "Five-star Red Flag" to a die.)
* :func:`loose_terms`: a query word the cards do not hold is matched to the card words with its
  first letter within a small edit distance (one edit up to seven letters, two from eight:
  ``swedn`` -> ``sweden``, ``columbia`` -> ``colombia``, ``olympics`` -> ``olympic``), to card
  words sharing a long prefix with it (``deutsche`` -> ``deutschland``), to the two card words it
  joins (``yinyang``) and, with its neighbour, to the card word they make together (``viet nam``
  -> ``vietnam``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

#: Words in what people ask that name nothing to look up (besides the search's stop words).
REQUEST_WORDS = frozenset(
    ["please", "show", "me", "what", "whats", "does", "look", "looks", "like", "how", "i", "you", "can",
     "could", "would", "want", "need", "some", "kind"]
)
#: Articles and prepositions of the languages whose "flag" is read (``drapeau de la France``),
#: dropped like stop words (not ``do`` or ``die``: English words a card's name holds).
FOREIGN_FUNCTION_WORDS = frozenset(
    ["de", "la", "le", "les", "du", "des", "del", "da", "di", "dos", "das", "van", "het", "der", "den", "von"]
)
#: "flag" in other languages (accents folded, lowercase), read as ``flag``.
FLAG_WORDS = frozenset(
    ["flags", "drapeau", "drapeaux", "bandera", "banderas", "bandiera", "bandiere", "bandeira", "bandeiras",
     "flagge", "flaggen", "vlag", "vlaggen", "flaga", "flagga", "flagg", "flaget", "lippu", "zaszlo",
     "bayrak", "bayragi", "vlajka", "zastava", "steag", "sztandar", "bendera"]
)
#: Other names of countries (key: the English name as a flag card's title gives it after "Flag of
#: (the)"): short forms in common English use, then the country's own name(s) in its language(s),
#: in Latin script or their usual romanisation. Entries equal to the key once accents are folded
#: (``Perú``) are left out.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "united states": ("USA", "US", "America", "United States of America"),
    "united kingdom": ("UK", "GB", "Great Britain", "Britain"),
    "united arab emirates": ("UAE", "Emirates", "Al Imarat"),
    "european union": ("EU", "Europe"),
    "china": ("PRC", "People's Republic of China", "Zhongguo"),
    "czech republic": ("Czechia", "Česko", "Česká republika"),
    "netherlands": ("Holland", "Nederland"),
    "myanmar": ("Burma",),
    "cote d'ivoire": ("Ivory Coast",),
    "italy": ("Italia",),
    "ireland": ("Éire",),
    "belgium": ("België", "Belgique", "Belgien"),
    "guinea": ("Guinée",),
    "germany": ("Deutschland",),
    "russia": ("Russian Federation", "Rossiya"),
    "austria": ("Österreich",),
    "hungary": ("Magyarország",),
    "bulgaria": ("Bulgariya",),
    "lithuania": ("Lietuva",),
    "estonia": ("Eesti",),
    "armenia": ("Hayastan",),
    "yemen": ("Yaman",),
    "ukraine": ("Ukraina",),
    "poland": ("Polska",),
    "mauritius": ("Maurice",),
    "thailand": ("Siam", "Prathet Thai"),
    "cameroon": ("Cameroun",),
    "palestine": ("Filastin",),
    "jordan": ("Urdun",),
    "madagascar": ("Madagasikara",),
    "sweden": ("Sverige",),
    "denmark": ("Danmark",),
    "norway": ("Norge", "Noreg"),
    "finland": ("Suomi",),
    "iceland": ("Ísland",),
    "switzerland": ("Schweiz", "Suisse", "Svizzera", "Helvetia"),
    "scotland": ("Alba",),
    "england": ("Albion",),
    "japan": ("Nippon", "Nihon"),
    "vietnam": ("Viet Nam",),
    "somalia": ("Soomaaliya",),
    "turkey": ("Türkiye",),
    "philippines": ("Pilipinas",),
    "brazil": ("Brasil",),
    "trinidad and tobago": ("Trinidad & Tobago",),
}
_WORD = re.compile(r"[a-z0-9]+")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
#: The shortest word matched loosely, and the shortest shared prefix that matches.
MIN_LOOSE = 4
MIN_PREFIX = 6
#: A loose match counts this much of an exact one.
LOOSE_WEIGHT = 0.8


def fold(text: str) -> str:
    """``text`` lowercased, accents folded (``Österreich`` -> ``osterreich``), ``U.S.A.`` read as ``usa``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), folded.replace("ı", "i"))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (stop words kept)."""
    return _WORD.findall(fold(text))


def extra_names(title: str, stop_words: Iterable[str]) -> tuple[str, ...]:
    """The other names :data:`COUNTRY_NAMES` gives the country a card's ``title`` names, if any.

    Args:
        title: A card's title (``"Flag of the United States"``).
        stop_words: Words ignored when comparing names.
    """
    stop = frozenset(stop_words) | {"flag"}
    own = [w for w in words(title) if w not in stop]
    for name, others in COUNTRY_NAMES.items():
        if [w for w in words(name) if w not in stop] == own:
            return others
    return ()


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours).

    Args:
        a: One word.
        b: The other.
        limit: The largest distance of interest.

    Returns:
        The distance, or ``limit + 1`` once it is past ``limit``.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for ca, cb in zip(a, b, strict=False):
        if ca != cb:
            break
        n += 1
    return n


@lru_cache(maxsize=4096)
def near_words(word: str, vocab: frozenset[str]) -> tuple[str, ...]:
    """The card words a query word (not one of them) most likely means: the nearest, else by prefix.

    Args:
        word: A query word the cards do not hold.
        vocab: The cards' words.

    Returns:
        The card words starting with the same letter (people rarely mistype the first, and
        ``logo`` is not ``togo``) at the smallest edit distance (one up to seven letters, two from
        eight), or, when none is that near, those sharing a prefix of at least :data:`MIN_PREFIX` letters
        that covers all but two letters of the shorter word; empty when ``word`` is shorter than
        :data:`MIN_LOOSE` letters or nothing is near.
    """
    if len(word) < MIN_LOOSE or word.isdigit():
        return ()
    limit = 1 if len(word) < 8 else 2
    best, found = limit + 1, []
    for v in vocab:
        if len(v) < MIN_LOOSE - 1 or v[0] != word[0]:  # the first letter is taken as typed
            continue
        d = edit_distance(word, v, min(limit, best))
        if d > limit:
            continue
        if d < best:
            best, found = d, [v]
        elif d == best:
            found.append(v)
    if found:
        return tuple(sorted(found))
    prefixed = [
        v for v in vocab
        if (p := _shared_prefix(word, v)) >= MIN_PREFIX and p >= min(len(word), len(v)) - 2
    ]
    return tuple(sorted(prefixed))


def loose_terms(
    tokens: list[str], vocab: frozenset[str], names: frozenset[str] | None = None
) -> dict[str, float]:
    """The card words a query's tokens stand for, with their weights (1 exact, :data:`LOOSE_WEIGHT` loose).

    Args:
        tokens: The query's words (folded, stop words dropped).
        vocab: The cards' words (a token is matched exactly against these).
        names: The words of the cards' names, the only ones a token is matched loosely to (default:
            ``vocab``): people misspell what a thing is called, and a common word loosely matched
            to a description's word (``whole`` -> ``whose``) only adds noise.

    Returns:
        Card word -> weight (the highest a word gets from any token).
    """
    loose_vocab = vocab if names is None else names
    terms: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        if term in vocab and weight > terms.get(term, 0.0):
            terms[term] = weight

    dropped = REQUEST_WORDS | FOREIGN_FUNCTION_WORDS
    tokens = ["flag" if t in FLAG_WORDS else t for t in tokens if t not in dropped]
    for n, token in enumerate(tokens):
        if n + 1 < len(tokens) and token + tokens[n + 1] in loose_vocab:
            add(token + tokens[n + 1], 1.0)
        if token in vocab:
            add(token, 1.0)
        if token in vocab or token.isdigit():
            continue
        splits = [(token[:i], token[i:]) for i in range(3, len(token) - 2)]
        joined = [(a, b) for a, b in splits if a in loose_vocab and b in loose_vocab]
        for a, b in joined[:1]:
            add(a, LOOSE_WEIGHT)
            add(b, LOOSE_WEIGHT)
        if not joined:
            for near in near_words(token, loose_vocab):
                add(near, LOOSE_WEIGHT)
    return terms

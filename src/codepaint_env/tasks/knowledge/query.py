"""What people type, read for the card search: other names for the cards, and query words matched loosely.

:func:`~codepaint_env.tasks.knowledge.search.search` ranks cards by BM25 over exact words; this
module supplies what exact words miss (issue 56 item 3, measured by
``benchmarks/search/knowledge_queries.py`` on ``benchmarks/data/knowledge-queries.jsonl``):

* :data:`COUNTRY_NAMES`: for each country, the short forms in common English use (``USA``,
  ``UK``, ``Britain``) and its own name in its own language, in Latin script or its usual
  romanisation (``Deutschland``, ``Suomi``, ``Nippon``). A flag card gets the names of the country
  its title names (:func:`extra_names`). Not the ISO 3166 codes wholesale: their two- and
  three-letter codes collide with words a query holds (``CAN``, ``PER``, ``DE``, ``LA``, ``NO``).
  Written once for every country with a card, not per query.
* :data:`FLAG_WORDS`: "flag" in other languages (``drapeau``, ``bandera``, ``Flagge``), read as
  ``flag``; those languages' articles and prepositions (:data:`FOREIGN_FUNCTION_WORDS`) dropped.
  (Digits are not read as number words: ``five`` for ``5`` sent "Five-star Red Flag" to a die.)
* :func:`token_terms` (and :func:`loose_terms`, its words merged): a query word the cards do not hold
  is matched to the card words with its
  first letter within a small edit distance (one edit up to seven letters, two from eight:
  ``swedn`` -> ``sweden``, ``columbia`` -> ``colombia``, ``olympics`` -> ``olympic``), to card
  words sharing a long prefix with it (``deutsche`` -> ``deutschland``), to the two card words it
  joins (``yinyang``) and, with its neighbour, to the card word they make together (``viet nam``
  -> ``vietnam``).
* What a query says about how a thing looks, and what it cannot find (the 60-query set,
  ``tests/tasks/data/knowledge-everyday-queries.jsonl``): :data:`DESCRIPTION_WORDS` (``middle`` ->
  ``centre``, ``stripes`` -> ``bands``, ``dot`` -> ``disc``), a word's singular or plural,
  :data:`GENERIC_WORDS` (``flag``, ``sign``, ``colours``: what kind, not which), :data:`PLACES` (the
  world's countries and demonyms: a real name is never bent to another, ``australia`` is not
  ``austria``; ``somalian`` reads as ``somalia``), :data:`HUES` (the order colours are listed in)
  and :data:`NUMBER_WORDS` (ties among the dice).
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
#: Words of the suite's task prompts that say how to draw, not what ("... so that it covers the entire
#: canvas, as an SVG image. No text."): a policy that pastes its prompt as the query searches for the
#: thing it names, not for these (none names a card; they would count as words no card holds).
PROMPT_WORDS = frozenset(
    ["canvas", "svg", "html", "python", "p5", "js", "tikz", "tikzpicture", "page", "background", "text",
     "covers", "cover", "entire", "filling", "fill", "fills", "whole", "plain", "program", "code", "render",
     "rendered"]
)
#: The phrases of the suite's task prompts around the thing's name (``suite.FILL_PHRASES``,
#: ``suite.ON_PHRASES``, "No text.", TikZ's "(one tikzpicture)"; a test keeps them equal): dropped
#: from a query whole, with the description words they hold ("edge to edge" is not the no-stopping
#: sign's "from edge to edge", nor "No text" a no-entry sign). ``{colour}`` stands for any one word.
PROMPT_PHRASES: tuple[str, ...] = (
    "filling the whole canvas",
    "so that it covers the entire canvas",
    "edge to edge across the whole canvas",
    "in the middle of a plain {colour} background",
    "centred on a {colour} background",
    "on a {colour} page, in the centre",
    "no text",
    "one tikzpicture",
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
#: Words that say what kind of thing is meant, not which one: a query whose only words the cards hold
#: are these (``flag``, ``mexican flag``) has found nothing (the search returns no hits); elsewhere
#: they rank at :data:`GENERIC_WEIGHT` of a naming word, so "german flag colours" is about Germany and
#: not about the rainbow cards (whose title is "Colours of the rainbow").
GENERIC_WORDS = frozenset(
    ["flag", "sign", "signs", "symbol", "symbols", "logo", "logos", "emblem", "icon", "colours", "colors",
     "colour", "color", "national", "official", "shape"]
)
#: What a generic word (:data:`GENERIC_WORDS`) counts in the ranking, against 1 for any other word.
GENERIC_WEIGHT = 0.3
#: Everyday words for what a thing looks like -> the words the cards' texts use for it (matched at
#: :data:`LOOSE_WEIGHT`, besides the word itself where the cards hold it): US spellings, and the
#: plain words for the cards' terms (``disc``, ``centre``, ``pips``, ``bands``, ``rhombus``, ``trefoil``).
DESCRIPTION_WORDS: dict[str, tuple[str, ...]] = {
    "middle": ("centre",), "center": ("centre",), "centered": ("centre", "centred"),
    "central": ("centre",), "centre": ("middle",),
    "circle": ("disc", "ring"), "circles": ("discs", "rings"), "round": ("disc", "circle"),
    "dot": ("disc", "pip"), "dots": ("pips", "discs"), "spot": ("pip", "disc", "dot"),
    "spots": ("pips", "dots"), "ball": ("disc",), "disk": ("disc",), "disc": ("circle",),
    "stripe": ("band",), "stripes": ("bands",), "striped": ("stripes", "bands"), "band": ("stripe",),
    "bands": ("stripes",), "line": ("bar", "stripe", "band"), "lines": ("stripes", "bands"),
    "bar": ("band", "stripe"), "bars": ("bands", "stripes"),
    "halves": ("bicolour", "half"), "half": ("bicolour", "halves"), "tricolor": ("tricolour",),
    "bicolor": ("bicolour",), "triband": ("tricolour",),
    "gray": ("grey",), "colored": ("coloured",),
    "diamond": ("rhombus",), "lozenge": ("rhombus", "diamond"), "rhombus": ("diamond",),
    "clover": ("trefoil", "lobes"), "shamrock": ("trefoil",), "propeller": ("trefoil", "blades"),
    "checkered": ("chessboard", "alternately"), "chequered": ("chessboard", "alternately"),
    "checker": ("chessboard",), "checkers": ("chessboard",),
    "prohibited": ("no",), "forbidden": ("no",), "banned": ("no",),
    "plus": ("cross",), "x": ("saltire", "diagonal"), "saltire": ("diagonal",),
    "inverted": ("down",), "upside": ("down",), "downward": ("down",), "upward": ("up",),
    "lamp": ("light",), "lit": ("lamp", "shines"), "bulb": ("lamp",), "signal": ("light",),
    "stoplight": ("traffic", "light"),
    "corner": ("canton",), "canton": ("corner",),
    "moon": ("crescent",), "sickle": ("crescent",),
    "gold": ("yellow",), "golden": ("yellow", "gold"), "navy": ("blue",), "crimson": ("red",),
    "scarlet": ("red",), "maroon": ("red",), "amber": ("orange", "yellow"), "saffron": ("orange",),
    "big": ("large",), "huge": ("large",), "little": ("small",), "tiny": ("small",),
    "sky": ("light",), "turquoise": ("aquamarine",), "aqua": ("aquamarine",),
}
#: Colour words -> the hue they name, for the order a query lists colours in (``black red gold``:
#: Germany's top-to-bottom order, not Belgium's black, yellow, red).
HUES: dict[str, str] = {
    "red": "red", "crimson": "red", "scarlet": "red", "maroon": "red", "carmine": "red",
    "orange": "orange", "saffron": "orange", "amber": "orange", "apricot": "orange",
    "yellow": "yellow", "gold": "yellow", "golden": "yellow",
    "green": "green", "blue": "blue", "navy": "blue", "cobalt": "blue", "azure": "blue", "cerulean": "blue",
    "indigo": "indigo", "violet": "violet", "purple": "violet", "pink": "pink",
    "white": "white", "black": "black", "grey": "grey", "gray": "grey", "brown": "brown",
}
#: English number words, read as their value when breaking ties (``die face five`` -> the die showing 5).
NUMBER_WORDS: dict[str, int] = {
    w: n for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve"]
    )
} | {"single": 1, "double": 2, "pair": 2, "dozen": 12}
#: The world's countries and some other places flags are asked for: ``names: demonyms`` (English,
#: the common short forms). Not for matching cards (cards are matched by their own names), but to
#: know a real name from a misspelling: a query word in it is never matched loosely (``australia``
#: is not ``austria``, ``australian`` not ``austrian``), and a name of several words that no card of
#: the index holds stands for none of its words (``south sudan flag`` finds no Sudan, ``saint vincent``
#: no Saint Lucia). The train-only index holds fewer places (no eval flag): its queries for those
#: find nothing.
PLACES: tuple[str, ...] = (
    "Afghanistan: Afghan", "Albania: Albanian", "Algeria: Algerian", "Andorra: Andorran", "Angola: Angolan",
    "Antigua and Barbuda, Antigua: Antiguan", "Argentina: Argentine, Argentinian", "Armenia: Armenian",
    "Australia: Australian, Aussie", "Austria: Austrian", "Azerbaijan: Azerbaijani, Azeri",
    "Bahamas: Bahamian", "Bahrain: Bahraini", "Bangladesh: Bangladeshi", "Barbados: Barbadian, Bajan",
    "Belarus: Belarusian", "Belgium: Belgian", "Belize: Belizean", "Benin: Beninese", "Bhutan: Bhutanese",
    "Bolivia: Bolivian", "Bosnia and Herzegovina, Bosnia: Bosnian", "Botswana: Botswanan, Motswana",
    "Brazil: Brazilian", "Brunei: Bruneian", "Bulgaria: Bulgarian", "Burkina Faso: Burkinabe",
    "Burundi: Burundian", "Cambodia: Cambodian, Khmer", "Cameroon: Cameroonian", "Canada: Canadian",
    "Cape Verde, Cabo Verde: Cape Verdean", "Central African Republic: Central African", "Chad: Chadian",
    "Chile: Chilean", "China: Chinese", "Colombia: Colombian", "Comoros: Comorian",
    "Republic of the Congo, Congo: Congolese", "Democratic Republic of the Congo, DR Congo: Congolese",
    "Costa Rica: Costa Rican", "Croatia: Croatian, Croat", "Cuba: Cuban", "Cyprus: Cypriot",
    "Czech Republic, Czechia: Czech", "Denmark: Danish, Dane", "Djibouti: Djiboutian",
    "Dominica: Dominican", "Dominican Republic: Dominican", "East Timor, Timor-Leste: Timorese",
    "Ecuador: Ecuadorian", "Egypt: Egyptian", "El Salvador: Salvadoran, Salvadorian",
    "Equatorial Guinea: Equatoguinean", "Eritrea: Eritrean", "Eswatini, Swaziland: Swazi",
    "Ethiopia: Ethiopian", "Fiji: Fijian", "Finland: Finnish, Finn", "France: French", "Gabon: Gabonese",
    "Gambia: Gambian", "Georgia: Georgian", "Germany: German", "Ghana: Ghanaian", "Greece: Greek",
    "Grenada: Grenadian", "Guatemala: Guatemalan", "Guinea: Guinean", "Guinea-Bissau: Bissau-Guinean",
    "Guyana: Guyanese", "Haiti: Haitian", "Honduras: Honduran", "Hungary: Hungarian",
    "Iceland: Icelandic", "India: Indian", "Indonesia: Indonesian", "Iran, Persia: Iranian, Persian",
    "Iraq: Iraqi", "Ireland: Irish", "Israel: Israeli", "Italy: Italian", "Ivory Coast: Ivorian",
    "Jamaica: Jamaican", "Japan: Japanese", "Jordan: Jordanian", "Kazakhstan: Kazakh, Kazakhstani",
    "Kenya: Kenyan", "Kiribati", "Kosovo: Kosovar", "Kuwait: Kuwaiti", "Kyrgyzstan: Kyrgyz",
    "Laos: Lao, Laotian", "Latvia: Latvian", "Lebanon: Lebanese", "Lesotho: Basotho, Mosotho",
    "Liberia: Liberian", "Libya: Libyan", "Liechtenstein: Liechtensteiner", "Lithuania: Lithuanian",
    "Luxembourg: Luxembourgish, Luxembourger", "Madagascar: Malagasy", "Malawi: Malawian",
    "Malaysia: Malaysian", "Maldives: Maldivian", "Mali: Malian", "Malta: Maltese",
    "Marshall Islands: Marshallese", "Mauritania: Mauritanian", "Mauritius: Mauritian", "Mexico: Mexican",
    "Micronesia: Micronesian", "Moldova: Moldovan", "Monaco: Monegasque", "Mongolia: Mongolian",
    "Montenegro: Montenegrin", "Morocco: Moroccan", "Mozambique: Mozambican", "Myanmar, Burma: Burmese",
    "Namibia: Namibian", "Nauru: Nauruan", "Nepal: Nepali, Nepalese", "Netherlands, Holland: Dutch",
    "New Zealand, Aotearoa: New Zealander, Kiwi", "Nicaragua: Nicaraguan", "Niger: Nigerien",
    "Nigeria: Nigerian", "North Korea: North Korean", "North Macedonia, Macedonia: Macedonian",
    "Norway: Norwegian", "Oman: Omani", "Pakistan: Pakistani", "Palau: Palauan", "Palestine: Palestinian",
    "Panama: Panamanian", "Papua New Guinea: Papua New Guinean, Papuan", "Paraguay: Paraguayan",
    "Peru: Peruvian", "Philippines: Filipino, Philippine", "Poland: Polish", "Portugal: Portuguese",
    "Qatar: Qatari", "Romania: Romanian", "Russia: Russian", "Rwanda: Rwandan",
    "Saint Kitts and Nevis, Saint Kitts, St Kitts: Kittitian", "Saint Lucia, St Lucia: Saint Lucian",
    "Saint Vincent and the Grenadines, Saint Vincent, St Vincent: Vincentian", "Samoa: Samoan",
    "San Marino: Sammarinese", "Sao Tome and Principe, Sao Tome: Santomean",
    "Saudi Arabia: Saudi, Saudi Arabian", "Senegal: Senegalese", "Serbia: Serbian, Serb",
    "Seychelles: Seychellois", "Sierra Leone: Sierra Leonean", "Singapore: Singaporean",
    "Slovakia: Slovak, Slovakian", "Slovenia: Slovenian, Slovene", "Solomon Islands: Solomon Islander",
    "Somalia: Somali, Somalian", "South Africa: South African", "South Korea, Korea: South Korean, Korean",
    "South Sudan: South Sudanese", "Spain, Espana: Spanish", "Sri Lanka, Ceylon: Sri Lankan",
    "Sudan: Sudanese", "Suriname: Surinamese", "Sweden: Swedish, Swede", "Switzerland: Swiss",
    "Syria: Syrian", "Taiwan: Taiwanese", "Tajikistan: Tajik", "Tanzania: Tanzanian", "Thailand: Thai",
    "Togo: Togolese", "Tonga: Tongan", "Trinidad and Tobago, Trinidad: Trinidadian", "Tunisia: Tunisian",
    "Turkey: Turkish", "Turkmenistan: Turkmen", "Tuvalu: Tuvaluan", "Uganda: Ugandan",
    "Ukraine: Ukrainian", "United Arab Emirates: Emirati", "United Kingdom, Britain: British",
    "United States, America: American", "Uruguay: Uruguayan", "Uzbekistan: Uzbek",
    "Vanuatu: Ni-Vanuatu", "Vatican City, Vatican", "Venezuela: Venezuelan", "Vietnam: Vietnamese",
    "Yemen: Yemeni", "Zambia: Zambian", "Zimbabwe: Zimbabwean",
    "England: English", "Scotland: Scottish, Scots", "Wales, Cymru: Welsh", "Northern Ireland",
    "Faroe Islands: Faroese", "Aland", "Greenland: Greenlandic", "Hong Kong", "Macau, Macao",
    "Puerto Rico: Puerto Rican", "Tibet: Tibetan", "Kurdistan: Kurdish", "Catalonia: Catalan",
    "Basque Country: Basque", "Quebec: Quebecois", "Bermuda: Bermudian", "Gibraltar",
    "Isle of Man: Manx", "Cornwall: Cornish", "Brittany: Breton", "Soviet Union, USSR: Soviet",
    "Yugoslavia: Yugoslav", "Czechoslovakia: Czechoslovak", "European Union: European",
)
_WORD = re.compile(r"[a-z0-9]+")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
#: The shortest word matched loosely, and the shortest shared prefix that matches.
MIN_LOOSE = 4
MIN_PREFIX = 6
#: A loose match counts this much of an exact one.
LOOSE_WEIGHT = 0.8
#: A description word's synonym (:data:`DESCRIPTION_WORDS`) counts this much of the word itself.
SYNONYM_WEIGHT = 1.0


def fold(text: str) -> str:
    """``text`` lowercased, accents folded (``Österreich`` -> ``osterreich``), ``U.S.A.`` read as ``usa``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _DOTTED.sub(lambda m: m.group(0).replace(".", ""), folded.replace("ı", "i"))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order (stop words kept)."""
    return _WORD.findall(fold(text))


#: Every word of :data:`PLACES` (names and demonyms): never matched loosely.
PLACE_WORDS = frozenset(w for line in PLACES for w in words(line.replace(":", " ").replace(",", " ")))


def _place_names() -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in PLACES:
        head, _, demonyms = line.partition(":")
        forms = [*head.split(","), *demonyms.split(",")]
        name = tuple(w for w in words(forms[0]) if w not in ("and", "the", "of"))
        for form in forms[1:]:
            if len(found := words(form)) == 1:
                out.setdefault(found[0], name)
    return out


#: A place's other one-word forms (its demonyms, other names) -> the words of its name: ``somalian`` ->
#: ``somalia``, ``persian`` -> ``iran``; read as the name where the cards do not hold the word itself
#: but hold every word of the name (and a card holds the whole name: ``ussr`` is not the Union Jack).
PLACE_NAMES: dict[str, tuple[str, ...]] = _place_names()


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


def token_terms(
    tokens: list[str],
    vocab: frozenset[str],
    names: frozenset[str] | None = None,
    *,
    absent: frozenset[tuple[str, ...]] = frozenset(),
) -> list[tuple[str, dict[str, float]]]:
    """Each of a query's tokens with the card words it stands for (1 exact, :data:`LOOSE_WEIGHT` loose).

    Args:
        tokens: The query's words (folded, stop words dropped).
        vocab: The cards' words (a token is matched exactly against these).
        names: The words of the cards' names, the only ones a token is matched loosely to (default:
            ``vocab``): people misspell what a thing is called, and a common word loosely matched
            to a description's word (``whole`` -> ``whose``) only adds noise.
        absent: Place names (word tuples, :func:`place_phrases`) that no card of the index holds: a
            query that names one stands for none of its words ("south sudan" is not Sudan).

    Returns:
        ``(token, {card word: weight})`` for every token that names something (request words, other
        languages' articles dropped; ``flag`` in other languages read as ``flag``), in order; the dict
        is empty for a token that no card word matches. A place's name or demonym (:data:`PLACES`)
        is never matched loosely: ``australia`` is spelled right, not a misspelling of ``austria``.
        Description words also stand for the words the cards use for them (:data:`DESCRIPTION_WORDS`,
        at :data:`LOOSE_WEIGHT`).
    """
    loose_vocab = vocab if names is None else names
    dropped = REQUEST_WORDS | PROMPT_WORDS | FOREIGN_FUNCTION_WORDS
    tokens = ["flag" if t in FLAG_WORDS else t for t in tokens if t not in dropped]
    blocked = _absent_positions(tokens, absent)
    out: list[tuple[str, dict[str, float]]] = []
    for n, token in enumerate(tokens):
        terms: dict[str, float] = {}

        def add(term: str, weight: float, terms: dict[str, float] = terms) -> None:
            if term in vocab and weight > terms.get(term, 0.0):
                terms[term] = weight

        out.append((token, terms))
        if n in blocked:
            continue
        if n + 1 < len(tokens) and n + 1 not in blocked and token + tokens[n + 1] in loose_vocab:
            add(token + tokens[n + 1], 1.0)
        if n > 0 and n - 1 not in blocked and tokens[n - 1] + token in loose_vocab:
            add(tokens[n - 1] + token, 1.0)
        if token in vocab:
            add(token, 1.0)
        for word in DESCRIPTION_WORDS.get(token, ()):
            add(word, SYNONYM_WEIGHT)
        for other in _plural_forms(token):  # "dots" is also "dot" (a die's "dots", the yin-yang's "dot")
            add(other, LOOSE_WEIGHT)
        if token in vocab or token.isdigit():
            continue
        place = PLACE_NAMES.get(token, ())
        if place and all(w in vocab for w in place) and (len(place) == 1 or place not in absent):
            for word in place:
                add(word, 1.0)
        if token in PLACE_WORDS:  # a real name, spelled right: not a misspelling of another one
            continue
        splits = [(token[:i], token[i:]) for i in range(3, len(token) - 2)]
        joined = [(a, b) for a, b in splits if a in loose_vocab and b in loose_vocab]
        for a, b in joined[:1]:
            add(a, LOOSE_WEIGHT)
            add(b, LOOSE_WEIGHT)
        if not joined:
            for near in near_words(token, loose_vocab):
                add(near, LOOSE_WEIGHT)
    return out


def loose_terms(
    tokens: list[str],
    vocab: frozenset[str],
    names: frozenset[str] | None = None,
    *,
    absent: frozenset[tuple[str, ...]] = frozenset(),
) -> dict[str, float]:
    """The card words a query's tokens stand for, with their weights (1 exact, :data:`LOOSE_WEIGHT` loose).

    Args:
        tokens: The query's words (folded, stop words dropped).
        vocab: The cards' words (a token is matched exactly against these).
        names: The words of the cards' names, the only ones a token is matched loosely to (default:
            ``vocab``).
        absent: Place names no card holds (:func:`token_terms`).

    Returns:
        Card word -> weight (the highest a word gets from any token: :func:`token_terms` merged).
    """
    terms: dict[str, float] = {}
    for _, found in token_terms(tokens, vocab, names, absent=absent):
        for term, weight in found.items():
            if weight > terms.get(term, 0.0):
                terms[term] = weight
    return terms


def drop_phrases(tokens: list[str], patterns: Iterable[tuple[str | None, ...]]) -> list[str]:
    """``tokens`` without every run that matches one of ``patterns`` (``None`` matches any one word).

    Args:
        tokens: A query's words.
        patterns: Word runs to drop (:data:`PROMPT_PHRASES`, tokenised), tried longest first.
    """
    out = list(tokens)
    for pattern in sorted(patterns, key=len, reverse=True):
        n, at = len(pattern), 0
        while at + n <= len(out):
            if all(p is None or p == w for p, w in zip(pattern, out[at : at + n], strict=True)):
                del out[at : at + n]
            else:
                at += 1
    return out


def _plural_forms(token: str) -> tuple[str, ...]:
    """A word's singular or plural (``spots`` -> ``spot``; ``pip`` -> ``pips``), for words of 4+ letters."""
    if len(token) < MIN_LOOSE:
        return ()
    if token.endswith("es") and len(token) > 4:
        return (token[:-1], token[:-2])
    if token.endswith("s"):
        return (token[:-1],)
    return (token + "s", token + "es")


def _absent_positions(tokens: list[str], absent: frozenset[tuple[str, ...]]) -> set[int]:
    """The positions of ``tokens`` inside a place name of ``absent`` (longest names first)."""
    blocked: set[int] = set()
    if not absent:
        return blocked
    for size in range(_longest(absent), 0, -1):
        for start in range(len(tokens) - size + 1):
            span = range(start, start + size)
            if tuple(tokens[start : start + size]) in absent and not blocked.intersection(span):
                blocked.update(span)
    return blocked


@lru_cache(maxsize=8)
def _longest(phrases: frozenset[tuple[str, ...]]) -> int:
    return max(len(p) for p in phrases)


def place_phrases(stop_words: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Every place name and demonym of :data:`PLACES` as folded words (no stop words) -> the place's name.

    Args:
        stop_words: The search's stop words (dropped from the names, as from a query).
    """
    stop = frozenset(stop_words) | REQUEST_WORDS | FOREIGN_FUNCTION_WORDS
    out: dict[tuple[str, ...], str] = {}
    for line in PLACES:
        head, _, demonyms = line.partition(":")
        names = [n.strip() for n in head.split(",") if n.strip()]
        for form in [*names, *(d.strip() for d in demonyms.split(",") if d.strip())]:
            key = tuple(w for w in words(form) if w not in stop)
            if key:
                out.setdefault(key, names[0])
    return out


def hue_order(tokens: Iterable[str]) -> tuple[str, ...]:
    """The hues of the longest run of colour words in ``tokens`` (:data:`HUES`), each once, in order.

    A run is a list (``black red and gold``, stop words already dropped); colours apart
    (``a red crescent on green and white``) describe parts, not an order.
    """
    runs: list[list[str]] = [[]]
    for t in tokens:
        if t in HUES:
            runs[-1].append(HUES[t])
        elif runs[-1]:
            runs.append([])
    return tuple(dict.fromkeys(max(runs, key=len)))


def order_agreement(asked: tuple[str, ...], told: tuple[str, ...]) -> float:
    """The share of the pairs of hues ``asked`` lists that ``told`` lists in the same order (0 with no pair).

    Args:
        asked: The query's hues in order (:func:`hue_order`).
        told: A card's hues in the order its text names them.
    """
    where = {h: n for n, h in enumerate(told)}
    pairs = [(a, b) for i, a in enumerate(asked) for b in asked[i + 1 :] if a in where and b in where]
    return sum(where[a] < where[b] for a, b in pairs) / len(pairs) if pairs else 0.0


def number_values(tokens: Iterable[str]) -> frozenset[int]:
    """The whole numbers ``tokens`` hold, as digits or English number words (``five``, ``5``)."""
    out = set()
    for token in tokens:
        if token.isdigit() and len(token) <= 4:
            out.add(int(token))
        elif token in NUMBER_WORDS:
            out.add(NUMBER_WORDS[token])
    return frozenset(out)

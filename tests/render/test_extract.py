"""Code extraction from completions and language detection (pure functions, property-tested)."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codepaint_env.render import detect_language, extract, extract_code
from codepaint_env.render.detect import language_from_path

SKETCH = "function setup() {\n  createCanvas(64, 64);\n  background(200);\n}"


def test_bare_code_passes_through():
    assert extract_code(SKETCH, "p5") == SKETCH


def test_fenced_block_with_and_without_tag():
    assert extract_code(f"Sure!\n```javascript\n{SKETCH}\n```\nEnjoy.", "p5") == SKETCH
    assert extract_code(f"```\n{SKETCH}\n```", "p5") == SKETCH
    assert extract_code(f"~~~js\n{SKETCH}\n~~~", "p5brush") == SKETCH


def test_unclosed_final_fence_counts_as_closed():
    assert extract_code(f"Here:\n```js\n{SKETCH}", "p5") == SKETCH


def test_several_blocks_pick_by_language_then_length():
    html = "<!doctype html><html><body><p>hi</p></body></html>"
    text = f"```html\n{html}\n```\n\n```js\n{SKETCH}\n```\n```js\nbrush.set('HB')\n```"
    assert extract_code(text, "p5") == SKETCH  # tagged js, longest
    assert extract_code(text, "html") == html
    # untagged blocks: chosen by what their content looks like
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><rect width='1' height='1'/></svg>"
    text2 = f"```\n{SKETCH}\n```\n```\n{svg}\n```"
    assert extract_code(text2, "svg") == svg
    assert extract_code(text2, "p5") == SKETCH


def test_tie_goes_to_the_later_block():
    assert extract_code("```js\nlet a=1;\n```\n```js\nlet b=2;\n```", "p5") == "let b=2;"


def test_chat_messages_and_content_parts():
    msgs = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "draw"},
            {"role": "assistant", "content": [{"type": "text", "text": f"```js\n{SKETCH}\n```"}]}]
    assert extract_code(msgs, "p5") == SKETCH
    assert extract_code({"role": "assistant", "content": SKETCH}, "p5") == SKETCH


def test_think_blocks_are_dropped():
    text = f"<think>maybe ```js\nnope()\n``` hmm</think>\n```js\n{SKETCH}\n```"
    assert extract_code(text, "p5") == SKETCH


def test_html_page_reduced_to_inline_script_for_p5():
    page = ("<html><head><script src='https://cdn/p5.min.js'></script></head><body>"
            f"<script>\n{SKETCH}\n</script></body></html>")
    assert extract_code(f"```html\n{page}\n```", "p5") == SKETCH


def test_empty_completion():
    assert extract_code("", "p5") == ""
    assert extract_code(None, "p5") == ""
    assert extract_code([], "p5") == ""
    assert extract_code("```js\n\n```", "p5") == ""


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from(["p5", "p5brush", "svg", "html", "auto", None]))
def test_extraction_is_total_and_deterministic(text, lang):
    a = extract_code(text, lang)
    assert isinstance(a, str)
    assert a == extract_code(text, lang)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="`~"), min_size=1))
def test_fenced_code_round_trips(code):
    code = code.strip()
    if not code or "<script" in code.lower() or "<think>" in code.lower():
        return
    assert extract_code(f"text before\n```js\n{code}\n```\ntext after", "p5") == code


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        (SKETCH, "p5"),
        ("function setup(){ createCanvas(9,9,WEBGL); brush.set('HB','#000',1); }", "p5brush"),
        ("<svg xmlns='http://www.w3.org/2000/svg'></svg>", "svg"),
        ("<?xml version='1.0'?>\n<svg></svg>", "svg"),
        ("<!DOCTYPE html><html></html>", "html"),
        ("<div>hello</div>", "html"),
        ("import matplotlib.pyplot as plt\nplt.plot([1,2])\n", "python"),
        ("\\begin{tikzpicture}\\draw (0,0)--(1,1);\\end{tikzpicture}", "tikz"),
        # code, not strings: an asset path is not p5.brush, quoted JS or LaTeX is not the language
        ("let img; function setup(){ createCanvas(400,400); img = loadImage('/assets/brush.png'); }", "p5"),
        ("const s = `brush.set()`; // brush.fill\nfunction setup(){ createCanvas(9,9) }", "p5"),
        ("let brush = {size: 3};\nfunction setup(){ createCanvas(9,9); circle(4,4,brush.size) }", "p5"),
        ("const re = /brush\\.add\\(\"/; function setup(){ brush.instance(this) }", "p5brush"),
        ('"""Draw: let x = 1 => function f() {}"""\nimport numpy as np\nx = "const y"\n', "python"),
        ('import matplotlib.pyplot as plt\nplt.rcParams["text.latex.preamble"] = r"\\usepackage{tikz}"\n',
         "python"),
        ("if __name__ == '__main__':\n    main()\n", "python"),
        # an SVG doctype with an internal subset, and the usual public one
        ('<?xml version="1.0"?>\n<!DOCTYPE svg [ <!ENTITY Fill "fill=\'red\'"> ]>\n<svg><rect/></svg>',
         "svg"),
        ('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
         "\n<!-- a comment -->\n<svg></svg>", "svg"),
    ],
)
def test_detect_language(code, lang):
    assert detect_language(code) == lang


@pytest.mark.parametrize("unit", ["/* ", "` ", "(/[ ", "'\\", '""" ', "def f(", "= / ", "brush.", "\n",
                                  "<?(", "\\}"])
def test_detection_is_linear_on_hostile_input(unit):
    """Unterminated comments, strings and regex literals never make detection quadratic."""
    import time

    code = unit * (1_000_000 // len(unit))  # the renderer's code cap is 1 MB
    t = time.perf_counter()
    detect_language(code)
    assert time.perf_counter() - t < 5.0  # linear: ~0.2 s here; quadratic took minutes


def test_language_from_path_prefers_the_name():
    assert language_from_path("a.p5brush.js", "x") == "p5brush"
    assert language_from_path("a.p5.js", "brush.set()") == "p5"
    assert language_from_path("picture.svg", "") == "svg"
    assert language_from_path("sketch.js", "brush.line(0,0,1,1)") == "p5brush"


# ---------------------------------------------------------------------- linear scanners
# The scanners replaced regexes that backtracked (100,000 backticks froze a server for 3.7 s);
# they must answer exactly as those regexes did, on any text.
_OLD_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)",
                        re.M | re.S)
_OLD_THINK = re.compile(r"<think>.*?(</think>|\Z)", re.S | re.I)
_OLD_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_PIECES = st.sampled_from(["`", "```", "````", "~~~", "\n", " ", "\t", "js", "svg", "x", "<think>",
                           "</think>", "<THINK>", "<script>", "<script src=a>", "<Script>", "</script>", ">",
                           "src=", "é"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_linear_scanners_answer_as_the_old_regexes(text):
    assert extract.code_blocks(text) == [(m.group(2).lower(), m.group(3)) for m in _OLD_FENCE.finditer(text)]
    assert extract._without_think(text) == _OLD_THINK.sub("", text)
    assert extract._inline_scripts(text) == _OLD_SCRIPT.findall(text)


def test_completion_from_query_cuts_end_tokens_as_before(tmp_path):
    assert extract.completion_from_query("P <svg/> </s> <pad>\n<|im_end|>  ", "P") == (" <svg/>", True)
    assert extract.completion_from_query("</s>" * 5, None) == ("", False)
    assert extract.completion_from_query("a</s>b</s>", "zz") == ("a</s>b", False)


@pytest.mark.parametrize("make", [
    lambda n: "`" * n,                       # a run of backticks (the fence regex)
    lambda n: "```js\n" + "`" * n,
    lambda n: "<script " * (n // 8),         # openers without '>' (the inline-script regex)
    lambda n: "<think>" * (n // 7),
])
def test_extraction_is_linear_on_adversarial_text(make):
    # a doubling test, not a wall-clock bound: 8x the input may cost about 8x, never 64x
    def cost(n):
        text = make(n)
        t0 = time.perf_counter()
        for lang in ("p5", "svg", None):
            extract.extract_code(text, lang)
        extract.completion_from_query(text + "</s>" * (n // 4), None)
        return time.perf_counter() - t0

    small, big = min(cost(20_000) for _ in range(3)), min(cost(160_000) for _ in range(3))
    assert big < 30 * max(small, 1e-4), (small, big)

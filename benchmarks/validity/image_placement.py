"""Where should a multi-turn adapter put the picture: in a user message, or in the tool's answer?

    .venv/bin/python benchmarks/validity/image_placement.py             # prints the table, writes the doc
    .venv/bin/python benchmarks/validity/image_placement.py --no-write  # prints it only

A multi-turn episode shows a vision-language policy what its program drew. The picture can come back
as a ``user`` message after the assistant's reply, or as the ``tool`` message that answers the
assistant's ``submit_code`` call. What the model sees is whatever the chat template renders: an image
part the template does not turn into its image placeholder never reaches the model, and the
processor then finds more pictures than placeholders ("image features and image tokens do not
match"), or the picture is silently lost.

This renders real chat templates (saved under ``benchmarks/data/chat_templates/``, their sources in
``index.json`` there) with transformers' own renderer (``render_jinja_template``, what
``apply_chat_template(..., tokenize=False)`` runs) on two conversations that differ only in where the
picture is, and counts the template's image placeholders in the text:

* **user**: system, user request, the assistant's answer (a fenced program), then a user message
  ``[{"type": "image"}, {"type": "text", "text": feedback}]``;
* **tool**: system, user request, the assistant's ``submit_code`` tool call (``tools`` passed), then a
  tool message with the same content.

Each cell is ``kept`` (the placeholder is there), ``dropped`` (rendered without it, no error) or
``error`` (the template raises). No tokenizer, model or network: jinja only. Prints the table and
writes it, with the count that picks the default placement, to ``docs/image-placement.md``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "benchmarks" / "data" / "chat_templates"
INDEX = TEMPLATES / "index.json"
DOC = ROOT / "docs" / "image-placement.md"

Placement = Literal["user", "tool"]
Status = Literal["kept", "dropped", "error"]
Style = Literal["text", "parts"]
PLACEMENTS: tuple[Placement, ...] = ("user", "tool")
STYLES: tuple[Style, ...] = ("text", "parts")
_RANK = {"kept": 0, "dropped": 1, "error": 2}

SYSTEM = "You write SVG programs. Answer with the complete program."
REQUEST = "Draw a red circle on a white background."
PROGRAM = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
           '<circle cx="32" cy="32" r="20" fill="red"/></svg>')
FEEDBACK = "This is what your program drew. The background is missing. Revise the program."
#: A call id of at least 9 characters (Mistral's templates refuse shorter ones).
CALL_ID = "call0123456789"
TOOLS: list[dict[str, Any]] = [{
    "type": "function",
    "function": {
        "name": "submit_code",
        "description": "Submit the complete program; the answer is its picture and feedback.",
        "parameters": {"type": "object",
                       "properties": {"code": {"type": "string", "description": "The program."}},
                       "required": ["code"]},
    },
}]
#: What a tokenizer passes a template besides the messages (apply_chat_template passes its special tokens).
SPECIAL_TOKENS = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>"}


def conversation(placement: Placement, style: Style = "text") -> tuple[list[dict[str, Any]],
                                                                      list[dict[str, Any]] | None]:
    """The messages (and tools) of one probe: the picture in a ``user`` or in a ``tool`` message.

    Args:
        placement: ``"user"`` or ``"tool"``.
        style: ``"text"``: a text-only message's content is a string (OpenAI style); ``"parts"``: every
            content is a list of parts (what TRL and vLLM's "openai" content format send a VLM template).

    Returns:
        ``(messages, tools)``; ``tools`` is ``None`` for the user placement (no tool is offered).
    """
    def content(text: str) -> str | list[dict[str, Any]]:
        return text if style == "text" else [{"type": "text", "text": text}]

    feedback: list[dict[str, Any]] = [{"type": "image"}, {"type": "text", "text": FEEDBACK}]
    head: list[dict[str, Any]] = [{"role": "system", "content": content(SYSTEM)},
                                  {"role": "user", "content": content(REQUEST)}]
    if placement == "user":
        return [*head, {"role": "assistant", "content": content(f"```svg\n{PROGRAM}\n```")},
                {"role": "user", "content": feedback}], None
    call = {"id": CALL_ID, "type": "function",
            "function": {"name": "submit_code", "arguments": {"code": PROGRAM}}}
    return [*head, {"role": "assistant", "content": content(""), "tool_calls": [call]},
            {"role": "tool", "tool_call_id": CALL_ID, "name": "submit_code", "content": feedback}], TOOLS


@dataclass(frozen=True)
class Probe:
    """One template on one conversation.

    Attributes:
        status: ``kept``, ``dropped`` or ``error``.
        images: Image placeholders in the rendered text (the conversation holds one picture).
        detail: The error's message; for a drop, how (the content list printed as text...).
        call_rendered: Whether the assistant's ``submit_code`` call appears in the text (tool probe).
        text: The rendered text ("" on error).
        style: The content style of the conversation (``text`` or ``parts``).
    """

    status: Status
    images: int
    detail: str = ""
    call_rendered: bool = False
    text: str = ""
    style: Style = "text"


@dataclass(frozen=True)
class Template:
    """A saved chat template and where it came from (one entry of ``index.json``)."""

    file: str
    name: str
    family: str
    vlm: bool
    placeholder: str
    source: dict[str, str]
    expected: dict[str, str]
    notes: str

    @property
    def text(self) -> str:
        """The template's jinja source."""
        return (TEMPLATES / self.file).read_text(encoding="utf-8")


def load_index(path: Path = INDEX) -> list[Template]:
    """The saved templates, in the index's order."""
    entries = json.loads(path.read_text(encoding="utf-8"))["templates"]
    return [Template(file=e["file"], name=e["name"], family=e["family"], vlm=e["vlm"],
                     placeholder=e["placeholder"], source=e["source"], expected=e["expected"],
                     notes=e.get("notes", "")) for e in entries]


def render(chat_template: str, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str:
    """What transformers' ``apply_chat_template(..., tokenize=False, add_generation_prompt=True)`` makes."""
    from transformers.utils.chat_template_utils import render_jinja_template

    schemas: list[Any] | None = list(tools) if tools is not None else None
    rendered, _ = render_jinja_template(conversations=[messages], tools=schemas, chat_template=chat_template,
                                        add_generation_prompt=True, bos_token=SPECIAL_TOKENS["bos_token"],
                                        eos_token=SPECIAL_TOKENS["eos_token"],
                                        pad_token=SPECIAL_TOKENS["pad_token"],
                                        unk_token=SPECIAL_TOKENS["unk_token"])
    return rendered[0]


def probe_style(template: Template, placement: Placement, style: Style) -> Probe:
    """Render ``template`` on one conversation and classify what became of the picture."""
    messages, tools = conversation(placement, style)
    try:
        text = render(template.text, messages, tools)
    except Exception as exc:  # a template's raise_exception, a TypeError on list content...
        message = str(exc).splitlines()[0] if str(exc) else ""
        return Probe("error", 0, f"{type(exc).__name__}: {message}", style=style)
    images = text.count(template.placeholder)
    # the tool's schema names submit_code too: a rendered call is one that carries the program
    called = bool(tools) and (PROGRAM in text or json.dumps(PROGRAM)[1:-1] in text)
    if images:
        return Probe("kept", images, "" if images == 1 else f"{images} placeholders", called, text, style)
    printed = any(s in text for s in ("'type': 'image'", '"type": "image"'))
    return Probe("dropped", 0, "content list printed as text" if printed else "", called, text, style)


def probe(template: Template, placement: Placement) -> Probe:
    """The better of the two content styles (plain-string text first; list-of-parts if that does better).

    The picture is a list of parts in both; only the text-only messages differ. A template that needs
    list content everywhere (or strings everywhere) is judged in the style it accepts, and the cell says so.
    """
    first, second = (probe_style(template, placement, style) for style in STYLES)
    if _RANK[second.status] < _RANK[first.status]:
        return second
    if first.status == second.status == "error" and not first.detail.startswith("TemplateError"):
        return second  # the template's own refusal says more than a failed lookup on string content
    return first


def measure(templates: Sequence[Template] | None = None) -> dict[str, dict[Placement, Probe]]:
    """Every template (default: the index) on both conversations, by file name."""
    return {t.file: {p: probe(t, p) for p in PLACEMENTS} for t in (templates or load_index())}


def counts(templates: Sequence[Template], results: dict[str, dict[Placement, Probe]]) -> dict[Placement, int]:
    """How many vision-language templates keep the picture, for each placement."""
    return {p: sum(results[t.file][p].status == "kept" for t in templates if t.vlm) for p in PLACEMENTS}


def counts_with_call(templates: Sequence[Template], results: dict[str, dict[Placement, Probe]]) -> int:
    """How many vision-language templates keep the picture in a tool message and render its call."""
    return sum(results[t.file]["tool"].status == "kept" and results[t.file]["tool"].call_rendered
               for t in templates if t.vlm)


def best_placement(templates: Sequence[Template], results: dict[str, dict[Placement, Probe]]) -> Placement:
    """The placement that works with the most vision-language templates (``user`` on a tie)."""
    kept = counts(templates, results)
    return "tool" if kept["tool"] > kept["user"] else "user"


def _cell(p: Probe) -> str:
    details = [d for d in (p.detail if p.status != "error" else "",
                           "list content only" if p.style == "parts" else "") if d]
    if p.status == "error":
        return f"**error**: `{p.detail[:100]}`"
    word = "kept" if p.status == "kept" else "**dropped**"
    return word + (f" ({'; '.join(details)})" if details else "")


def _source(t: Template) -> str:
    s = t.source
    if "repo" in s:
        where = f"[{s['repo']}](https://github.com/{s['repo']}) `{s['path']}`"
    else:
        where = f"Hugging Face Hub `{s['hub']}` (`{s['path']}`)"
    if s.get("commit"):
        where += f" @ `{s['commit'][:10]}`"
    if s.get("version"):
        where += f" ({s['version']})"
    if s.get("upstream"):
        where += f"; from {s['upstream']}"
    return where


def _row(cells: Sequence[str]) -> str:
    """A Markdown table row; a ``|`` in a cell (``<|image|>``) is escaped so it does not split the cell."""
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _names(templates: Iterable[Template]) -> str:
    names = [t.name for t in templates]
    return (", ".join(names) if names else "none") + "."


def markdown(templates: Sequence[Template], results: dict[str, dict[Placement, Probe]]) -> str:
    """The doc: what was measured and why, the table, the sources, the conclusion."""
    vlm = [t for t in templates if t.vlm]
    kept = counts(templates, results)
    best = best_placement(templates, results)
    families = sorted({t.family for t in vlm})
    with_call = counts_with_call(templates, results)

    def tool_kept(t: Template) -> bool:
        return results[t.file]["tool"].status == "kept"

    fam_kept = {p: sorted({t.family for t in vlm if results[t.file][p].status == "kept"}) for p in PLACEMENTS}
    lines = [
        "# Where the picture goes: user message or tool message",
        "",
        "A multi-turn codepaint episode sends the policy the picture its program drew. The adapters can",
        "put it in a **user** message after the assistant's reply (`image_placement=\"user\"`) or in the",
        "**tool** message that answers the assistant's `submit_code` call (`image_placement=\"tool\"`). A",
        "vision-language model only sees the picture if its chat template renders the image part as the",
        "model's image placeholder; a template that skips it drops the picture silently, or leaves the",
        "processor with more pictures than placeholders (\"image features and image tokens do not match\",",
        "the failure trainers report most).",
        "",
        "`benchmarks/validity/image_placement.py` renders real chat templates (saved in",
        "`benchmarks/data/chat_templates/`, sources in `index.json` there) with transformers'",
        "`render_jinja_template` (what `apply_chat_template(..., tokenize=False)` runs) on two",
        "conversations that differ only in where the one picture is: system, user request, the",
        "assistant's answer, then `[{\"type\": \"image\"}, {\"type\": \"text\", ...}]` as a **user** message",
        "(after a plain-text answer), or as a **tool** message (after a `submit_code` tool call, `tools`",
        "passed). It counts the template's own image placeholder in the text: **kept** (one",
        "placeholder), **dropped** (none, no error) or **error** (the template raises). No tokenizer, no",
        "model, no network: `tests/integrations/test_image_placement.py` runs the same measurement and",
        "checks this page against it.",
        "",
        "| template | family | source | image in user message | image in tool message | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for t in templates:
        r = results[t.file]
        notes = t.notes
        tool = r["tool"]
        if tool.status != "error" and not tool.call_rendered:
            notes = ("Tool call not rendered. " + notes).strip()
        name = t.name if t.vlm else f"{t.name} (text-only, control)"
        lines.append(_row([name, t.family, _source(t), _cell(r["user"]), _cell(tool), notes]))
    lines += [
        "",
        "## Conclusion",
        "",
        f"Of {len(vlm)} vision-language templates ({len(families)} families), **{kept['user']}** keep the",
        f"picture in a user message and **{kept['tool']}** in a tool message (families: "
        f"{len(fam_kept['user'])} and {len(fam_kept['tool'])}). Only **{with_call}** of",
        "those that keep it in a tool message also render the `submit_code` call it answers; the others",
        "print the tool message as one more generic turn after an empty assistant turn.",
        f"The default placement is therefore **`image_placement=\"{best}\"`**: it works with the most",
        "templates. Use `\"tool\"` only with a template listed below as keeping the picture in a tool",
        "message.",
        "",
        "- Keep the picture in a tool message and render the call it answers: "
        + _names(t for t in vlm if tool_kept(t) and results[t.file]["tool"].call_rendered),
        "- Keep the picture in a tool message, but without the call (no tool support; a generic turn): "
        + _names(t for t in vlm if tool_kept(t) and not results[t.file]["tool"].call_rendered),
        "- Lose the picture in a tool message: " + _names(t for t in vlm if not tool_kept(t)),
        "- Lose the picture in a user message: "
        + _names(t for t in vlm if results[t.file]["user"].status != "kept"),
        "",
        "Not measured (no complete copy found in the installed packages or the searchable GitHub index;",
        "the search was not exhaustive): Kimi-VL, GLM-4.1V / GLM-4.5V, MiniCPM-V, Phi-3.5-vision,",
        "Phi-4-multimodal, Molmo, PaliGemma, Aya Vision, DeepSeek-VL2.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the table, write the doc."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/image-placement.md")
    args = parser.parse_args(argv)
    templates = load_index()
    results = measure(templates)
    width = max(len(t.name) for t in templates)
    print(f"{'template':<{width}}  {'user':<8} {'tool':<8} detail")
    for t in templates:
        r = results[t.file]
        detail = "; ".join(f"{p}: {r[p].detail}" for p in PLACEMENTS if r[p].detail)
        print(f"{t.name:<{width}}  {r['user'].status:<8} {r['tool'].status:<8} {detail}")
    kept = counts(templates, results)
    print(f"kept by VLM templates: user {kept['user']}, tool {kept['tool']}; "
          f"default: {best_placement(templates, results)}")
    if not args.no_write:
        DOC.write_text(markdown(templates, results), encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

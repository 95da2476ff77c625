"""A tiny random causal language model and tokenizer, built locally in a few seconds.

Tests and smoke runs of the training stack need a model that loads the way a real checkpoint does
(``AutoTokenizer.from_pretrained(path)`` / ``AutoModelForCausalLM.from_pretrained(path)``) without
reaching a model hub. :func:`build_tiny_lm` writes one: a randomly initialised Llama-architecture
model of about a hundred thousand parameters and a byte-level BPE tokenizer trained on a small built-in
corpus of creative-code snippets, so it encodes any text and its samples look vaguely code-like.
:func:`tiny_grpo_config` is a ``trl.GRPOConfig`` sized so that two GRPO steps on it run in seconds
on a CPU.

Example::

    from trl import GRPOTrainer
    from codepaint_env.testing import build_tiny_lm, tiny_grpo_config

    path = build_tiny_lm("/tmp/tiny-lm")
    trainer = GRPOTrainer(model=str(path), reward_funcs=my_reward, train_dataset=dataset,
                          args=tiny_grpo_config("/tmp/tiny-run"))
    trainer.train()
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from codepaint_env.core.errors import DependencyNotInstalled

if TYPE_CHECKING:
    import trl

__all__ = ["MARKER_FILE", "build_tiny_lm", "tiny_grpo_config"]

#: Written last into a finished build; holds the build parameters that :func:`build_tiny_lm` compares.
MARKER_FILE = "codepaint_tiny_lm.json"

#: Bumped whenever the build recipe (corpus, architecture, template) changes, so old builds are redone.
_FORMAT_VERSION = 1

_INSTALL_HINT = "pip install 'codepaint[train]'"

_ENDOFTEXT = "<|endoftext|>"
_PAD = "<|pad|>"
_BOS = "<|startoftext|>"
_IM_START = "<|im_start|>"
_IM_END = "<|im_end|>"
_SPECIAL_TOKENS = (_ENDOFTEXT, _PAD, _BOS, _IM_START, _IM_END)

_HEAD_DIM = 16
_MAX_POSITIONS = 2048

# ChatML-like: every message is ``<|im_start|>role\ncontent<|im_end|>\n``. Content may be a string or a
# list of ``{"type": "text", "text": ...}`` parts (other part types are dropped).
_CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{%- if message['content'] is string -%}"
    "{{- message['content'] -}}"
    "{%- else -%}"
    "{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'text' -%}{{- part['text'] -}}{%- endif -%}"
    "{%- endfor -%}"
    "{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)

# A small corpus that the BPE merges are learned from. Any text encodes (the tokenizer is byte-level);
# this only decides which character sequences get their own tokens.
_CORPUS: tuple[str, ...] = (
    # p5.js
    """function setup() {
  createCanvas(400, 400);
  noLoop();
}

function draw() {
  background(240, 230, 210);
  noStroke();
  for (let i = 0; i < 12; i++) {
    const x = random(width);
    const y = random(height);
    fill(random(255), random(120, 200), 180, 160);
    ellipse(x, y, random(20, 80));
  }
  stroke(30);
  strokeWeight(2);
  line(0, height / 2, width, height / 2);
}
""",
    """let angle = 0;

function setup() {
  createCanvas(600, 600);
  colorMode(HSB, 360, 100, 100, 1);
  angleMode(DEGREES);
}

function draw() {
  background(220, 30, 15);
  translate(width / 2, height / 2);
  for (let r = 20; r < 280; r += 20) {
    push();
    rotate(angle + r);
    noFill();
    stroke((r * 1.3) % 360, 80, 90, 0.8);
    rect(-r / 2, -r / 2, r, r, 8);
    pop();
  }
  angle += 0.5;
}
""",
    """const palette = ['#264653', '#2a9d8f', '#e9c46a', '#f4a261', '#e76f51'];

function setup() {
  createCanvas(800, 600);
  noiseSeed(42);
  randomSeed(42);
}

function draw() {
  background('#fdf6e3');
  for (let y = 0; y < height; y += 10) {
    beginShape();
    for (let x = 0; x <= width; x += 10) {
      const n = noise(x * 0.01, y * 0.01);
      vertex(x, y + map(n, 0, 1, -40, 40));
    }
    stroke(random(palette));
    endShape();
  }
  textSize(32);
  textAlign(CENTER, CENTER);
  fill(0);
  text('waves', width / 2, height - 40);
}
""",
    # p5.brush
    """function setup() {
  createCanvas(700, 700, WEBGL);
  brush.load();
  angleMode(DEGREES);
}

function draw() {
  translate(-width / 2, -height / 2);
  background('#fffceb');
  brush.field('seabed');
  brush.set('marker', '#3a5a40', 1.2);
  brush.flowLine(100, 100, 300, 45);
  brush.noStroke();
  brush.fill('#e07a5f', 70);
  brush.bleed(0.25);
  brush.fillTexture(0.55, 0.8);
  brush.circle(350, 350, 120);
  brush.noFill();
  brush.stroke('#81b29a');
  brush.strokeWeight(2);
  brush.rect(200, 480, 300, 120);
  brush.hatch(8, 45, { rand: 0.1, continuous: true });
  brush.polygon([[120, 620], [240, 560], [320, 650]]);
  noLoop();
}
""",
    """// watercolour sunset with p5.brush
function setup() {
  createCanvas(600, 400, WEBGL);
  pixelDensity(1);
  brush.scaleBrushes(1.5);
}

function draw() {
  translate(-width / 2, -height / 2);
  background(250, 240, 220);
  const sky = ['#ffb4a2', '#e5989b', '#b5838d', '#6d6875'];
  sky.forEach((c, i) => {
    brush.fill(c, 90);
    brush.bleed(0.3, 'out');
    brush.rect(0, i * 70, width, 90);
  });
  brush.fill('#ffd166', 100);
  brush.circle(width * 0.7, 210, 60);
  brush.set('2B', '#222222', 1);
  brush.line(0, 300, width, 300);
  brush.pick('charcoal');
  brush.spline([[40, 360], [200, 330], [420, 370], [560, 340]], 0.5);
  noLoop();
}
""",
    # SVG
    """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="400" height="400">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0%" stop-color="#87ceeb"/>
      <stop offset="100%" stop-color="#ffffff"/>
    </linearGradient>
  </defs>
  <rect x="0" y="0" width="200" height="200" fill="url(#sky)"/>
  <circle cx="150" cy="50" r="20" fill="#ffcc00" stroke="#ff9900" stroke-width="2"/>
  <path d="M 0 160 Q 50 120 100 160 T 200 160 L 200 200 L 0 200 Z" fill="#2e8b57"/>
  <g transform="translate(40, 100) rotate(-10)">
    <polygon points="0,40 20,0 40,40" fill="#8b4513" opacity="0.9"/>
    <ellipse cx="20" cy="45" rx="25" ry="6" fill="rgba(0,0,0,0.2)"/>
  </g>
  <text x="100" y="190" font-family="sans-serif" font-size="12" text-anchor="middle">hill</text>
</svg>
""",
    # HTML / CSS / canvas
    """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Gradient grid</title>
  <style>
    body { margin: 0; display: grid; place-items: center; height: 100vh; background: #111; }
    .grid { display: grid; grid-template-columns: repeat(6, 60px); gap: 6px; }
    .cell { width: 60px; height: 60px; border-radius: 50%; }
    .cell { background: linear-gradient(45deg, #ff6b6b, #feca57); }
    .cell:nth-child(odd) { transform: scale(0.8); opacity: 0.7; }
  </style>
</head>
<body>
  <div class="grid" id="grid"></div>
  <canvas id="c" width="300" height="150"></canvas>
  <script>
    const grid = document.getElementById('grid');
    for (let i = 0; i < 36; i++) {
      const div = document.createElement('div');
      div.className = 'cell';
      grid.appendChild(div);
    }
    const ctx = document.getElementById('c').getContext('2d');
    ctx.fillStyle = 'rgb(200, 0, 120)';
    ctx.beginPath();
    ctx.arc(75, 75, 50, 0, Math.PI * 2);
    ctx.fill();
  </script>
</body>
</html>
""",
    # Python
    '''import math
from dataclasses import dataclass


@dataclass
class Point:
    """A point in the plane."""

    x: float
    y: float

    def rotate(self, angle: float) -> "Point":
        c, s = math.cos(angle), math.sin(angle)
        return Point(self.x * c - self.y * s, self.x * s + self.y * c)


def spiral(n: int = 100, step: float = 0.1) -> list[Point]:
    points = []
    for i in range(n):
        r = i * step
        points.append(Point(r, 0.0).rotate(i * 0.3))
    return points


if __name__ == "__main__":
    for p in spiral(10):
        print(f"{p.x:.2f}, {p.y:.2f}")
''',
    '''def reward(completions: list[str], **kwargs) -> list[float]:
    scores = []
    for text in completions:
        if "```" in text:
            text = text.split("```")[1]
        score = 1.0 if "createCanvas" in text else 0.0
        scores.append(score)
    return scores
''',
    """class Walker {
  constructor(x, y) {
    this.pos = createVector(x, y);
    this.vel = p5.Vector.random2D().mult(2);
    this.history = [];
  }

  update() {
    this.vel.rotate(map(noise(this.pos.x * 0.005, this.pos.y * 0.005), 0, 1, -0.2, 0.2));
    this.pos.add(this.vel);
    this.history.push(this.pos.copy());
    if (this.history.length > 200) this.history.shift();
    if (this.pos.x < 0 || this.pos.x > width || this.pos.y < 0 || this.pos.y > height) {
      this.pos.set(width / 2, height / 2);
    }
  }

  show() {
    noFill();
    stroke(20, 40, 90, 120);
    beginShape();
    for (const p of this.history) curveVertex(p.x, p.y);
    endShape();
  }
}

let walkers = [];

function setup() {
  createCanvas(windowWidth, windowHeight);
  for (let i = 0; i < 30; i++) walkers.push(new Walker(random(width), random(height)));
}

function draw() {
  background(255, 250, 240, 40);
  for (const w of walkers) {
    w.update();
    w.show();
  }
  if (frameCount > 300) noLoop();
}

function mousePressed() {
  saveCanvas('walkers', 'png');
}
""",
    """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <rect width="100" height="100" fill="#0b132b"/>
  <g fill="none" stroke="#5bc0be" stroke-width="0.8" stroke-linecap="round">
    <circle cx="50" cy="50" r="10"/>
    <circle cx="50" cy="50" r="20" stroke-dasharray="2 3"/>
    <circle cx="50" cy="50" r="30" opacity="0.6"/>
    <line x1="10" y1="90" x2="90" y2="10"/>
    <polyline points="10,80 30,60 50,70 70,40 90,50"/>
  </g>
  <use href="#star" x="20" y="20"/>
  <filter id="blur"><feGaussianBlur stdDeviation="1.5"/></filter>
</svg>
""",
    '''import numpy as np
from PIL import Image, ImageDraw


def render(size: int = 256, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for _ in range(50):
        x, y = rng.integers(0, size, 2)
        r = int(rng.integers(4, 32))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour, outline=None)
    return img


class Palette:
    def __init__(self, colours: list[str]) -> None:
        self.colours = list(colours)

    def __len__(self) -> int:
        return len(self.colours)

    def __getitem__(self, index: int) -> str:
        return self.colours[index % len(self.colours)]
''',
    # Prompts in English (with a little non-ASCII text).
    """Write a p5.js sketch that draws a field of sunflowers at dusk, with a warm orange sky.
Draw a watercolour landscape with p5.brush: rolling hills, a lake and a small red house.
Create an SVG icon of a coffee cup with steam rising from it, using only paths and circles.
Make an HTML page with a CSS animation of bouncing balls in pastel colours.
Paint an abstract composition of overlapping translucent circles in blue and gold.
Generate a sketch of a night sky full of stars and a crescent moon over the sea.
Draw a portrait of a cat made of simple geometric shapes: triangles, circles and squares.
Use a limited palette of three colours and keep the background light.
The canvas is 400 by 400 pixels. Return only the code, in a single code block.
Compose a still life: a vase of tulips on a wooden table, soft shadows, morning light.
Un café au soleil, naïve style — draw it with brushes. Größe: 400×400. 🎨 Have fun!
""",
    """You are an artist who writes code. Given a description, you write a program that draws it.
The user wants a calm, minimal picture. Think about composition, colour and texture first,
then write the sketch. Prefer smooth curves, gentle gradients and a clear focal point.
Describe the image in one sentence, then give the code.
""",
)


def _hint(what: str) -> str:
    return f"{what} is needed for tiny-model test runs; install it with: {_INSTALL_HINT}"


def _import_deps() -> tuple[Any, Any]:
    """Import torch, tokenizers and transformers, or raise DependencyNotInstalled."""
    try:
        import torch
    except ImportError as exc:
        raise DependencyNotInstalled(_hint("torch")) from exc
    try:
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise DependencyNotInstalled(_hint("tokenizers")) from exc
    from rewards.embed.compat import ensure_torchvision

    ensure_torchvision()  # transformers imports it while loading models
    try:
        import transformers
    except ImportError as exc:
        raise DependencyNotInstalled(_hint("transformers")) from exc
    return torch, transformers


def read_marker(path: pathlib.Path, marker_file: str) -> dict[str, Any] | None:
    """The parameters of the finished build in ``path`` (its marker file), or ``None``."""
    try:
        data = json.loads((path / marker_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def build_atomically(path: str | os.PathLike, marker: dict[str, Any], marker_file: str, *, overwrite: bool,
                     build_into: Callable[[pathlib.Path], None]) -> pathlib.Path:
    """The idempotent, atomic build both tiny models share (see :func:`build_tiny_lm`).

    ``build_into(folder)`` fills an empty sibling folder and writes ``marker`` to ``marker_file``
    last; the folder is then renamed into place. A matching finished build is returned untouched.

    Raises:
        ValueError: ``path`` is a filesystem root.
        FileExistsError: ``path`` is a file, or a non-empty folder holding no tiny model (without
            ``overwrite``).
    """
    target = pathlib.Path(path).expanduser().resolve()
    if target.parent == target:
        raise ValueError(f"cannot build into {target}")
    existing = read_marker(target, marker_file)
    if existing == marker and not overwrite:
        return target
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    if target.is_dir() and existing is None and not overwrite and any(target.iterdir()):
        raise FileExistsError(
            f"{target} is not empty and holds no tiny model; pass overwrite=True to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        build_into(staging)
        if target.exists():
            shutil.rmtree(target)
        try:
            os.replace(staging, target)
        except OSError:
            # Another process finished the same build between our rmtree and rename: keep theirs.
            if read_marker(target, marker_file) != marker:
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def train_byte_bpe(vocab_size: int, special_tokens: Sequence[str]) -> Any:
    """A byte-level BPE ``tokenizers.Tokenizer`` trained on the built-in corpus (lossless on any text)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=1,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS, trainer=trainer)
    return tok


def _train_tokenizer(transformers: Any, vocab_size: int) -> Any:
    """Train a byte-level BPE tokenizer on the built-in corpus and wrap it for transformers."""
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=train_byte_bpe(vocab_size, _SPECIAL_TOKENS),
        bos_token=_BOS,
        eos_token=_ENDOFTEXT,
        pad_token=_PAD,
        chat_template=_CHAT_TEMPLATE,
        model_max_length=_MAX_POSITIONS,
        padding_side="left",
        clean_up_tokenization_spaces=False,
    )


def _build_into(
    out: pathlib.Path,
    *,
    seed: int,
    hidden_size: int,
    num_layers: int,
    vocab_size: int,
    marker: dict[str, Any],
) -> None:
    """Build tokenizer and model into the (empty) folder ``out``; the marker is written last."""
    torch, transformers = _import_deps()

    tokenizer = _train_tokenizer(transformers, vocab_size)
    bos_id = tokenizer.convert_tokens_to_ids(_BOS)
    eos_id = tokenizer.convert_tokens_to_ids(_ENDOFTEXT)
    pad_id = tokenizer.convert_tokens_to_ids(_PAD)
    im_end_id = tokenizer.convert_tokens_to_ids(_IM_END)

    num_heads = hidden_size // _HEAD_DIM
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=max(1, num_heads // 2),
        max_position_embeddings=_MAX_POSITIONS,
        head_dim=_HEAD_DIM,
        tie_word_embeddings=True,
        bos_token_id=bos_id,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        dtype="float32",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = transformers.AutoModelForCausalLM.from_config(config)
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=bos_id,
        eos_token_id=[eos_id, im_end_id],
        pad_token_id=pad_id,
    )
    bars = transformers.utils.logging.is_progress_bar_enabled()
    transformers.utils.logging.disable_progress_bar()
    try:
        model.save_pretrained(out)
    finally:
        if bars:
            transformers.utils.logging.enable_progress_bar()
    tokenizer.save_pretrained(out)
    (out / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def build_tiny_lm(
    path: str | os.PathLike,
    *,
    seed: int = 0,
    hidden_size: int = 64,
    num_layers: int = 2,
    vocab_size: int = 1024,
    overwrite: bool = False,
) -> pathlib.Path:
    """Build a tiny random causal LM and its tokenizer into ``path``, without any download.

    The model is a randomly initialised Llama-architecture ``AutoModelForCausalLM`` (float32, tied
    embeddings, 16-dimensional attention heads, grouped-query attention). Llama rather than Qwen2
    because ``AutoTokenizer`` loads a Llama folder's ``tokenizer.json`` as written, whereas for
    ``qwen2`` it rebuilds the tokenizer with Qwen's own normaliser and pre-tokenizer.

    The tokenizer is a byte-level BPE trained on a small built-in corpus of p5.js, p5.brush, SVG,
    HTML and Python snippets and English prompts, so it encodes any text losslessly. It has
    ``<|startoftext|>`` (bos), ``<|endoftext|>`` (eos) and ``<|pad|>`` (pad) special tokens, is not
    made to add any of them by itself, and has a ChatML-like chat template (one
    ``<|im_start|>ROLE``, newline, ``CONTENT<|im_end|>``, newline per message), so conversational
    prompts work with ``apply_chat_template(..., add_generation_prompt=True)``.
    Generation stops at ``<|endoftext|>`` or ``<|im_end|>``. The folder loads with
    ``AutoTokenizer.from_pretrained(path)`` and ``AutoModelForCausalLM.from_pretrained(path)``.

    The build is idempotent: a finished build carries a marker file (:data:`MARKER_FILE`) with its
    parameters; when it matches and ``overwrite`` is false the folder is returned untouched. A folder
    built with other parameters is rebuilt. The build happens in a sibling temporary folder that is
    renamed into place, so an interrupted build never leaves a half-written model behind. It takes
    well under a second, plus the first import of torch and transformers.

    Args:
        path: Folder to build into. Created if missing, together with its parents.
        seed: Seed for the random weights (the global torch RNG state is left untouched).
        hidden_size: Model width; a positive multiple of 16.
        num_layers: Number of transformer layers.
        vocab_size: Size of the tokenizer vocabulary: the 256 byte tokens, 5 special tokens and
            learned merges. The built-in corpus runs out of merges at about 1,500 tokens, so larger
            values give a smaller vocabulary; the model's embedding matrix always has exactly
            ``len(tokenizer)`` rows. At least 262.
        overwrite: Rebuild even if ``path`` already holds a matching build, and replace a non-empty
            folder that holds no tiny model.

    Returns:
        The absolute path of the built folder.

    Raises:
        ValueError: If a size parameter is out of range, or ``path`` is a filesystem root.
        FileExistsError: If ``path`` is a file, or a non-empty folder that was not built by this
            function, and ``overwrite`` is false.
        DependencyNotInstalled: If torch, transformers or tokenizers is missing.
    """
    if hidden_size < _HEAD_DIM or hidden_size % _HEAD_DIM:
        raise ValueError(f"hidden_size must be a positive multiple of {_HEAD_DIM}, got {hidden_size}")
    if num_layers < 1:
        raise ValueError(f"num_layers must be at least 1, got {num_layers}")
    min_vocab = 256 + len(_SPECIAL_TOKENS) + 1
    if vocab_size < min_vocab:
        raise ValueError(f"vocab_size must be at least {min_vocab} (bytes + specials), got {vocab_size}")

    marker = {
        "format": _FORMAT_VERSION,
        "seed": seed,
        "hidden_size": hidden_size,
        "num_layers": num_layers,
        "vocab_size": vocab_size,
    }
    _import_deps()  # fail before creating anything

    def build_into(out: pathlib.Path) -> None:
        _build_into(out, seed=seed, hidden_size=hidden_size, num_layers=num_layers, vocab_size=vocab_size,
                    marker=marker)

    return build_atomically(path, marker, MARKER_FILE, overwrite=overwrite, build_into=build_into)


def tiny_grpo_config(output_dir: str | os.PathLike, **overrides: Any) -> trl.GRPOConfig:  # pyright: ignore[reportPrivateImportUsage]
    """Return a ``trl.GRPOConfig`` for a two-step GRPO smoke run on a CPU.

    One prompt per step with four completions of at most 48 tokens each (the generation batch, 4,
    is a multiple of ``num_generations``), float32 on the CPU, no activation checkpointing, no
    reference model (``beta=0``), no checkpoints, no progress bars and no external loggers. With
    the model of :func:`build_tiny_lm` the two steps take well under a second.

    Args:
        output_dir: Where the trainer writes its (few) outputs.
        **overrides: Any ``GRPOConfig`` field, replacing the defaults here (for example
            ``max_steps=10`` or ``num_generations=2``). ``gradient_checkpointing`` is passed on as
            ``activation_checkpointing`` where transformers has renamed it.

    Returns:
        The config.

    Raises:
        DependencyNotInstalled: If trl is missing.
    """
    try:
        from trl import GRPOConfig  # pyright: ignore[reportPrivateImportUsage]  (trl's lazy exports)
    except ImportError as exc:
        raise DependencyNotInstalled(_hint("trl")) from exc

    kwargs: dict[str, Any] = {
        "output_dir": os.fspath(output_dir),
        "max_steps": 2,
        "per_device_train_batch_size": 4,
        "gradient_accumulation_steps": 1,
        "num_generations": 4,  # generation_batch_size = 4 * 1 * 1, divisible by num_generations
        "max_completion_length": 48,
        "learning_rate": 1e-5,
        "beta": 0.0,
        "logging_steps": 1,
        "report_to": "none",
        "save_strategy": "no",
        "use_cpu": True,
        "bf16": False,
        "fp16": False,
        "gradient_checkpointing": False,
        "seed": 0,
        "data_seed": 0,
        "dataloader_num_workers": 0,
        "dataloader_pin_memory": False,
        "disable_tqdm": True,
    }
    kwargs.update(overrides)
    # transformers 5 renamed `gradient_checkpointing*` to `activation_checkpointing*` and warns when the old
    # name is set, which TRL's configs do by default; use the new name where it exists.
    fields = {f.name for f in dataclasses.fields(GRPOConfig)}
    for old, new in (
        ("gradient_checkpointing", "activation_checkpointing"),
        ("gradient_checkpointing_kwargs", "activation_checkpointing_kwargs"),
    ):
        if new in fields and old in kwargs:
            kwargs.setdefault(new, kwargs.pop(old))
    return GRPOConfig(**kwargs)

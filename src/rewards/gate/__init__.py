"""`execution_gate` and the checks it makes against broken programs and reward hacking.

* :mod:`.reward`: :class:`ExecutionGate` (id ``execution_gate``, aliases ``gate``, ``exec``);
* :mod:`.html_lint`: the HTML structure checks;
* :mod:`.text`: the one rule for text on a task's picture (``allow_text``) and the instrumented text;
* :mod:`.ocr`: RapidOCR (PP-OCR on ONNX Runtime), for text the instrumentation cannot see;
* :mod:`.copies`: near-copies of reference-pool pictures;
* :mod:`.degenerate`: near-uniform canvases and flat blocks.
"""

from rewards.gate.html_lint import lint_html
from rewards.gate.reward import STATS_KEYS, ExecutionGate

__all__ = ["STATS_KEYS", "ExecutionGate", "lint_html"]

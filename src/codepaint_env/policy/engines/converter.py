"""CTranslate2's transformers converter, run as codepaint runs it: in-memory models handed over, and quicker.

:func:`run_converter` converts a folder (or a model in memory, with its folder holding only the
config) with ``ctranslate2.converters.TransformersConverter``; :func:`check_convertible` says at once,
before anything is loaded, when the converter does not know an architecture.

CTranslate2's converter spends most of its time in two places that change nothing in its output
(measured on SmolLM2-135M: 25.6 s of 67 s in ``gc.collect`` after each layer, 17.3 s comparing every
pair of same-shaped weights in full to find duplicates); :func:`_quicker_converter` skips the first
and compares the first elements before the full comparison. The output is byte for byte the same
(a test checks it).
"""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Iterator
from typing import Any

from codepaint_env.core.errors import ModelNotConvertible
from codepaint_env.policy.engines.ct2_engine import import_ct2

__all__ = ["check_convertible", "run_converter"]


def check_convertible(config: Any) -> None:
    """Raise :class:`ModelNotConvertible` when CTranslate2's converter does not know the architecture."""
    ct2 = import_ct2()
    from ctranslate2.converters import transformers as converters

    loaders = getattr(converters, "_MODEL_LOADERS", None)
    name = type(config).__name__
    if isinstance(loaders, dict) and name not in loaders:
        known = sorted(k.removesuffix("Config") for k in loaders)
        raise ModelNotConvertible(
            f"CTranslate2 {ct2.__version__} cannot convert a {getattr(config, 'model_type', name)!r} model "
            f"({name}): its transformers converter knows {len(known)} architectures ({', '.join(known)}). "
            "Run this model with the transformers engine (--engine transformers).")


@contextlib.contextmanager
def _quicker_converter() -> Iterator[None]:
    """While converting: no ``gc.collect`` after each layer, a cheap look before a full weight comparison.

    The converter finds duplicate weights (tied embeddings) by comparing every pair of
    same-shaped tensors in full; two different tensors almost always differ in their first
    elements, so those are compared first, and only equal beginnings get the full comparison:
    the same answers. Both patches are restored on the way out.
    """
    import types

    import torch
    from ctranslate2.converters import transformers as converters
    from ctranslate2.specs import model_spec

    variable = model_spec.PyTorchVariable
    full_equal = variable._equal

    def quick_equal(self: Any, other: Any) -> bool:
        a, b = self.tensor, other.tensor
        if a is not b and a.dtype == b.dtype and a.shape == b.shape and a.is_contiguous() \
                and b.is_contiguous() and a.numel() > 64 \
                and not torch.equal(a.reshape(-1)[:64], b.reshape(-1)[:64]):
            return False
        return full_equal(self, other)

    no_gc = types.SimpleNamespace(collect=lambda *args, **kwargs: 0)
    converters_gc = converters.gc
    variable._equal = quick_equal
    converters.gc = no_gc  # type: ignore[assignment]
    try:
        yield
    finally:
        variable._equal = full_equal
        converters.gc = converters_gc


def run_converter(folder: pathlib.Path, out: pathlib.Path, quantization: str, *, model: Any = None,
                   tokenizer: Any = None) -> int:
    """Convert with CTranslate2's transformers converter (``model``/``tokenizer``: handed over, not read).

    Returns:
        The parameter count of the model it converted.

    Raises:
        ModelNotConvertible: The converter does not know the architecture.
    """
    from ctranslate2.converters import TransformersConverter

    counted: list[int] = []

    class Converter(TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            loaded = model if model is not None else \
                super().load_model(model_class, model_name_or_path, **kwargs)
            counted.append(sum(p.numel() for p in loaded.parameters()))  # now: converting takes layers apart
            return loaded

        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            if tokenizer is not None:
                return tokenizer
            return super().load_tokenizer(tokenizer_class, model_name_or_path, **kwargs)

    try:
        with _quicker_converter():
            Converter(str(folder)).convert(str(out), quantization=quantization, force=True)
    except ValueError as e:
        if "No conversion is registered" in str(e):
            raise ModelNotConvertible(f"{e}. Run this model with the transformers engine "
                                      "(--engine transformers).") from e
        raise
    return counted[-1] if counted else 0

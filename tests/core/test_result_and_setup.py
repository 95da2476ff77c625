"""RenderResult invariants, blank detection, JS asset and browser discovery errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.render import RenderResult, is_blank, pixel_sha256
from codepaint_env.render.browser import assets as assets_mod
from codepaint_env.render.browser import chromium


def test_error_kind_is_validated():
    with pytest.raises(ValueError, match="error_kind"):
        RenderResult(ok=False, language="p5", error_kind="exploded")


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(1, 40),
       st.integers(1, 40))
def test_uniform_images_are_blank_and_one_pixel_more_is_not(r, g, b, w, h):
    im = Image.new("RGB", (w, h), (r, g, b))
    assert is_blank(im)
    arr = np.array(im)
    arr[h // 2, w // 2] = ((r + 128) % 256, g, b)
    assert not is_blank(Image.fromarray(arr)) or (w == 1 and h == 1)


def test_pixel_hash_ignores_png_encoding():
    im = Image.new("RGB", (8, 8), (10, 20, 30))
    import io

    a, b = io.BytesIO(), io.BytesIO()
    im.save(a, "PNG", compress_level=0)
    im.save(b, "PNG", compress_level=9)
    assert a.getvalue() != b.getvalue()
    assert pixel_sha256(Image.open(a)) == pixel_sha256(Image.open(b))
    assert pixel_sha256(im) != pixel_sha256(Image.new("RGB", (8, 8), (10, 20, 31)))


def test_missing_js_assets_say_how_to_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("CODEPAINT_JS_DIR", str(tmp_path))
    monkeypatch.setattr(assets_mod, "_candidates", lambda: [("test", tmp_path / "node_modules")])
    with pytest.raises(RendererUnavailable, match="npm ci"):
        assets_mod.load_assets()


def test_js_dir_env_var_overrides(monkeypatch, tmp_path):
    real = assets_mod.load_assets()
    link = tmp_path / "node_modules"
    link.symlink_to(real.node_modules)
    monkeypatch.setenv("CODEPAINT_JS_DIR", str(tmp_path))
    got = assets_mod.load_assets()
    assert got.source == "$CODEPAINT_JS_DIR" and got.versions == real.versions
    assert got.versions["p5.brush"] == "2.2.2" and got.versions["p5"].startswith("2.2.")


def test_browser_explicit_path_must_exist(monkeypatch):
    monkeypatch.setenv("CODEPAINT_CHROMIUM", "/nonexistent/chrome")
    with pytest.raises(RendererUnavailable, match="not an executable"):
        chromium.find_browser()


def test_no_browser_found_says_how_to_fix(monkeypatch):
    monkeypatch.delenv("CODEPAINT_CHROMIUM", raising=False)
    monkeypatch.setattr(chromium, "_playwright_browser_dirs", lambda: [])
    monkeypatch.setattr(chromium, "DEBIAN_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(RendererUnavailable, match="apt-get install -y chromium"):
        chromium.find_browser()


def test_a_launcher_script_removes_itself_as_it_starts_what_it_starts():
    # so a renderer killed before its close() leaves no script in /tmp
    import os
    import subprocess

    path = chromium.write_launcher("/bin/echo", netns=None, cgroup=None)
    out = subprocess.run([path, "drawn"], capture_output=True, text=True, timeout=30)
    assert (out.returncode, out.stdout) == (0, "drawn\n"), out.stderr
    assert not os.path.exists(path)


def test_launcher_script_joins_netns(tmp_path):
    path = chromium.write_launcher("/bin/true", netns=("/usr/bin/unshare", "-n"), cgroup=None)
    try:
        with open(path) as fh:
            text = fh.read()
        assert 'exec /usr/bin/unshare -n "/bin/true" "$@"' in text
    finally:
        import os

        os.unlink(path)

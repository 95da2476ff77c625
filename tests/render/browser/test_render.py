"""The browser renderer on real Chromium: every language, determinism, error kinds, instrumentation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from codepaint_env.core.errors import UnknownLanguage
from codepaint_env.render import RenderResult
from support.programs import RANDOM_P5, SIMPLE_P5

pytestmark = pytest.mark.browser

WATERCOLOUR = """
function setup() {
  createCanvas(128, 128, WEBGL);
  background('#f6f1e8');
  brush.noStroke();
  brush.fill('#d7567a', 160);
  brush.fillBleed(0.3);
  brush.circle(0, 0, 40);
  brush.set('HB', '#2f2a26', 1);
  brush.line(-50, -30, 50, 30);
}
"""


def colour_at(res: RenderResult, x: int, y: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in res.array()[y, x])


def test_p5_global_mode_draws(renderer):
    res = renderer.render(SIMPLE_P5, "p5", size=64)
    assert res.ok, res.messages
    assert res.size == (64, 64) and res.image.size == (64, 64)
    r, g, b = colour_at(res, 32, 32)
    assert r > 150 and g < 80 and b < 80  # the red circle
    assert colour_at(res, 2, 2) == (240, 240, 240)
    # the page's own time (sketch start to frame done) is part of the render's wall time
    assert 0 < res.timings_ms["page"] <= res.timings_ms["total"]
    assert res.sha256 and len(res.sha256) == 64


def test_p5_instance_mode_and_webgl(renderer):
    code = """new p5((p) => {
      p.setup = () => { p.createCanvas(64, 64, p.WEBGL); p.background(0, 0, 255); };
      p.draw = () => { p.fill(255, 255, 0); p.noStroke(); p.circle(0, 0, 30); };
    });"""
    res = renderer.render(code, "p5", size=64)
    assert res.ok, res.messages
    assert colour_at(res, 32, 32)[0] > 200 and colour_at(res, 2, 2)[2] > 200


def test_p5brush_watercolour_renders_and_counts_calls(renderer):
    res = renderer.render(WATERCOLOUR, "p5brush", size=128)
    assert res.ok, res.messages
    assert res.api_calls == {"brush.circle": 1, "brush.fill": 1, "brush.fillBleed": 1,
                             "brush.line": 1, "brush.noStroke": 1, "brush.set": 1}
    assert res.unknown_api == []
    arr = res.array().astype(int)
    assert (np.abs(arr - np.array([0xF6, 0xF1, 0xE8])).sum(axis=2) > 15).mean() > 0.03  # paint


def test_p5brush_instance_mode(renderer):
    code = """new p5((p) => { brush.instance(p);
      p.setup = () => { p.createCanvas(96, 96, p.WEBGL); p.background(250);
        brush.set('2B', '#203040', 2); brush.line(-40, -40, 40, 40); }; });"""
    res = renderer.render(code, "p5brush", size=96)
    assert res.ok, res.messages
    assert res.api_calls["brush.line"] == 1 and res.api_calls["brush.instance"] == 1


def test_made_up_brush_method_is_recorded_and_sketch_continues(renderer):
    code = WATERCOLOUR.replace("brush.noStroke();", "brush.bleed(0.4); brush.noStroke(); brush.reDraw();")
    res = renderer.render(code, "p5brush", size=128)
    assert res.ok, res.messages
    assert res.unknown_api == ["brush.bleed", "brush.reDraw"]
    assert res.api_calls["brush.circle"] == 1  # painting went on after the made-up calls


def test_allowlist_reports_violations(renderer):
    from codepaint_env.render import Renderer

    with Renderer(allowed_api=["set", "line", "brush.fill"], cache_size=0) as r:
        res = r.render(WATERCOLOUR, "p5brush", size=128)
    assert res.ok
    assert sorted(res.api_violations) == ["brush.circle", "brush.fillBleed", "brush.noStroke"]


def test_reference_error_names_go_to_unknown_api(renderer):
    res = renderer.render("function setup(){createCanvas(64,64); drawWatercolor(3);}", "p5", size=64)
    assert not res.ok and res.error_kind == "runtime"
    assert "drawWatercolor" in res.unknown_api
    assert any("ReferenceError" in m for m in res.messages)


def test_svg_renders_scaled_to_fit(renderer):
    # (a mark in the corner: a uniformly green square is blank, letterbox or not)
    svg = ('<svg viewBox="0 0 10 10"><rect width="10" height="10" fill="#00ff00"/>'
           '<rect width="2" height="2" fill="#f00"/></svg>')
    res = renderer.render(svg, "svg", size=(80, 40))
    assert res.ok, res.messages
    assert res.size == (80, 40)
    # contain-fit: a 40x40 green square in the middle, white bars left and right
    assert colour_at(res, 40, 20) == (0, 255, 0)
    assert colour_at(res, 3, 20) == (255, 255, 255) and colour_at(res, 77, 20) == (255, 255, 255)


def test_svg_with_shapes(renderer):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
           '<circle cx="5" cy="5" r="4" fill="#ff0000"/></svg>')
    res = renderer.render(svg, size=60)
    assert res.language == "svg" and res.ok, res.messages
    assert colour_at(res, 30, 30) == (255, 0, 0) and colour_at(res, 1, 1) == (255, 255, 255)


def test_svg_syntax_error_without_browser(renderer):
    res = renderer.render("<svg xmlns='http://www.w3.org/2000/svg'><circle></svg>", "svg", size=32)
    assert res.error_kind == "syntax" and "well-formed" in res.messages[0]
    res = renderer.render("<html/>", "svg", size=32)
    assert res.error_kind == "syntax"


def test_svg_scripts_do_not_run(renderer, canary):
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="10"/>'
           f'<script>fetch("http://127.0.0.1:{canary.port}/svg")</script>'
           f'<image href="http://127.0.0.1:{canary.port}/i.png" width="10" height="10"/></svg>')
    res = renderer.render(svg, "svg", size=32)
    assert res.ok
    assert canary.total == 0


def test_html_page(renderer):
    page = ("<!doctype html><html><head><meta name='viewport' content='width=device-width'></head>"
            "<body style='margin:0;background:#123456'><div style='width:50%;height:100vh;"
            "background:#fedcba'></div></body></html>")
    res = renderer.render(page, size=(100, 50))
    assert res.language == "html" and res.ok, res.messages
    assert colour_at(res, 10, 10) == (0xFE, 0xDC, 0xBA) and colour_at(res, 90, 10) == (0x12, 0x34, 0x56)


def test_html_page_can_use_p5_from_a_cdn_offline(renderer):
    page = ("<!doctype html><html><head><script src='https://cdn.jsdelivr.net/npm/p5@2.2.3/lib/p5.min.js'>"
            "</script></head><body style='margin:0'><script>function setup(){createCanvas(50,50);"
            "background(0,128,0);fill(255);circle(25,25,20)}</script></body></html>")
    res = renderer.render(page, "html", size=50)
    assert res.ok, res.messages
    assert colour_at(res, 25, 25) == (255, 255, 255)


def test_same_seed_same_hash_and_other_seed_differs(renderer):
    a = renderer.render(RANDOM_P5, "p5", size=64, seed=7)
    b = renderer.render(RANDOM_P5, "p5", size=64, seed=7)
    c = renderer.render(RANDOM_P5, "p5", size=64, seed=8)
    assert a.ok and b.ok and c.ok
    assert a.sha256 == b.sha256
    assert a.sha256 != c.sha256


def test_p5brush_follows_the_seed(renderer):
    # p5.brush's own randomness follows the seed: same seed, the same picture up to a handful of
    # pixels (SwiftShader's WebGL varies a few pixels of p5.brush fills between runs, see README);
    # another seed, a clearly different picture.
    runs = [renderer.render(WATERCOLOUR, "p5brush", size=128, seed=3) for _ in range(3)]
    other = renderer.render(WATERCOLOUR, "p5brush", size=128, seed=4)
    base = runs[0].array().astype(int)
    for r in runs[1:]:
        d = np.abs(r.array().astype(int) - base).max(axis=2)
        assert (d > 0).mean() < 0.002 and d.max() <= 16
    d_other = np.abs(other.array().astype(int) - base).max(axis=2)
    assert (d_other > 16).mean() > 0.01


def test_p5brush_lines_are_exactly_deterministic(renderer):
    code = ("function setup(){createCanvas(128,128,WEBGL);background(240);"
            "for(let i=0;i<12;i++){brush.set('HB','#223',1);"
            "brush.line(random(-60,60),random(-60,60),random(-60,60),random(-60,60));}}")
    hashes = {renderer.render(code, "p5brush", size=128, seed=5).sha256 for _ in range(3)}
    assert len(hashes) == 1


def test_clock_reads_fixed_wall_time(renderer):
    code = ("function setup(){createCanvas(64,64);const d=new Date();"
            "background(d.getUTCHours()*10, d.getUTCMinutes()*10, d.getUTCFullYear()-2000);}")
    res = renderer.render(code, "p5", size=64)
    assert colour_at(res, 5, 5) == (100, 100, 24)  # 10:10 on 2024-01-01 UTC


def test_endless_draw_loop_captures_first_frame(renderer):
    code = ("let n=0; function setup(){createCanvas(64,64);} "
            "function draw(){n++; background(n===1?255:0, 0, 0); fill(255); circle(32,32,20);}")
    res = renderer.render(code, "p5", size=64)
    assert res.ok
    assert colour_at(res, 5, 5) == (255, 0, 0)


def test_frames_option_captures_later_frame():
    from codepaint_env.render import Renderer

    code = ("function setup(){createCanvas(64,64);} "
            "function draw(){background(frameCount*40, 0, 0); fill(255); circle(32,32,20);}")
    with Renderer(frames=3, cache_size=0) as r:
        res = r.render(code, "p5", size=64)
    assert colour_at(res, 10, 10) == (120, 0, 0)


def test_async_setup_is_awaited(renderer):
    code = ("async function setup(){createCanvas(64,64);"
            "await new Promise(r=>setTimeout(r,50)); background(0,0,255);}")
    res = renderer.render(code, "p5", size=64)
    assert colour_at(res, 3, 3) == (0, 0, 255)


@pytest.mark.parametrize(
    ("code", "lang", "kind"),
    [
        ("", "p5", "empty"),
        ("   \n\t", "p5brush", "empty"),
        ("function setup( {", "p5", "syntax"),
        ("function setup(){ createCanvas(64,64); null.x; }", "p5", "runtime"),
        ("function setup(){ createCanvas(64,64); throw new Error('boom'); }", "p5brush", "runtime"),
        ("async function setup(){ createCanvas(64,64); await Promise.reject(new Error('no')); }",
         "p5", "runtime"),
        ("let x = 1;", "p5", "runtime"),  # never starts a sketch
        ("function setup(){ createCanvas(64,64); background(30); }", "p5", "blank"),
        ("function setup(){ createCanvas(50000, 50000); }", "p5", "too_large"),
        ("function setup(){ createCanvas(64,64, WEBGL); resizeCanvas(9000, 10); }", "p5", "too_large"),
        ("import matplotlib", "python", "no_image"),
        ("<svg xmlns='http://www.w3.org/2000/svg'/>", "svg", "blank"),
    ],
)
def test_error_kinds(renderer, code, lang, kind):
    res = renderer.render(code, lang, size=64, timeout_s=10)
    assert res.error_kind == kind, res.messages
    assert res.ok is False
    assert res.messages, "a failure always says why"


def test_runtime_error_still_returns_partial_picture(renderer):
    res = renderer.render("function setup(){createCanvas(64,64);background(0,200,0);oops();}", "p5",
                          size=64)
    assert res.error_kind == "runtime" and res.png is not None
    assert colour_at(res, 5, 5) == (0, 200, 0)


def test_oversize_code_is_rejected_without_running(renderer):
    res = renderer.render("// " + "x" * 50_000_000, "p5", size=64)
    assert res.error_kind == "too_large" and res.timings_ms == {}


def test_huge_svg_is_contained(renderer):
    from codepaint_env.render import Renderer

    nodes = "<rect width='1' height='1'/>" * 200_000  # 5.6 MB: over the default code cap
    res = renderer.render(f"<svg xmlns='http://www.w3.org/2000/svg'>{nodes}</svg>", "svg", size=64)
    assert res.error_kind == "too_large"
    # A recursive <use> bomb (small text, 10^9 nodes) is stopped by the timeout, and the pool lives.
    bomb = ["<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
            "<defs><rect id='l0' width='1' height='1'/>"]
    for i in range(1, 10):
        bomb.append(f"<g id='l{i}'>" + f"<use xlink:href='#l{i-1}'/>" * 10 + "</g>")
    bomb.append("</defs><use xlink:href='#l9'/></svg>")
    with Renderer(timeout_s=4, cache_size=0) as r:
        res = r.render("".join(bomb), "svg", size=64)
        assert res.ok is False or res.error_kind is None  # contained either way
        assert r.render(SIMPLE_P5, "p5", size=64).ok


def test_unknown_language_raises_with_choices(renderer):
    with pytest.raises(UnknownLanguage, match="p5brush"):
        renderer.render("x", "javascript")


def test_result_json_round_trip(renderer):
    res = renderer.render(SIMPLE_P5, "p5", size=64)
    d = json.loads(res.to_json())
    assert "png" not in d and d["ok"] is True and d["size"] == [64, 64]
    back = RenderResult.from_dict(json.loads(res.to_json(include_png=True)))
    assert back.png == res.png and back.sha256 == res.sha256 and back.size == res.size


def test_render_many_keeps_order_and_languages(renderer):
    codes = [SIMPLE_P5, "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 2 2'><rect width='1' "
             "height='2' fill='blue'/></svg>", "function setup( {"]
    out = renderer.render_many(codes, ["p5", "svg", "p5"], size=64)
    assert [r.language for r in out] == ["p5", "svg", "p5"]
    assert [r.error_kind for r in out] == [None, None, "syntax"]


def test_render_cache_renders_each_program_once():
    from codepaint_env.render import Renderer

    with Renderer(cache_size=8) as r:
        a = r.render(SIMPLE_P5, "p5", size=64)
        b = r.render(SIMPLE_P5, "p5", size=64)
        c = r.render(SIMPLE_P5, "p5", size=64, seed=1)
    assert a is b and c is not a
    assert r.cache_hits == 1


def test_identical_completions_arriving_together_render_once():
    from codepaint_env.render import Renderer

    # a GRPO group early in training: the same completion eight times in one batch
    with Renderer(cache_size=64) as renderer:
        before = renderer.stats()
        group = renderer.render_many([SIMPLE_P5 + "// group"] * 8 + [SIMPLE_P5 + "// other"], "p5", size=64)
        after = renderer.stats()
    assert all(res.ok for res in group) and len({res.sha256 for res in group[:8]}) == 1
    assert after["deduplicated"] - before["deduplicated"] == 7
    assert after["cache_hits"] - before["cache_hits"] == 7
    assert after["renders"] - before["renders"] == 9
    assert 0 < after["cache_hit_rate"] <= 1


def test_extract_from_completion(renderer):
    completion = [{"role": "user", "content": "paint"},
                  {"role": "assistant", "content": "Here you go:\n```javascript\n" + SIMPLE_P5 + "\n```"}]
    res = renderer.render(completion, "p5", size=64, extract=True)
    assert res.ok


def test_async_api_renders_concurrently_from_any_loop(renderer):
    import asyncio

    async def main():
        return await asyncio.gather(*(renderer.arender(SIMPLE_P5.replace("240", str(200 + i)), "p5",
                                                       size=64) for i in range(3)))

    out = asyncio.run(main())
    assert [r.ok for r in out] == [True, True, True]
    assert len({r.sha256 for r in out}) == 3


def test_gpu_auto_falls_back_to_swiftshader_and_says_so():
    from codepaint_env.render import Renderer
    from codepaint_env.render.browser.webgl import is_software_webgl

    # This machine has no GPU: ANGLE on Vulkan finds SwiftShader, on EGL llvmpipe; both are
    # software, so gpu="auto" renders on Chromium's default path and reports it.
    with Renderer(gpu="auto", cache_size=0) as r:
        info = r.gpu_info()
        res = r.render(SIMPLE_P5, "p5", size=64)
    assert info["mode"] == "auto" and info["backend"] == "software"
    assert "SwiftShader" in (info["webgl_renderer"] or "")
    assert res.ok and "webgl-" not in res.renderer
    assert is_software_webgl("ANGLE (Mesa/X.org, llvmpipe (LLVM 15.0.6 256 bits), OpenGL ES 3.2)")
    assert is_software_webgl(None)
    assert not is_software_webgl("ANGLE (NVIDIA, Vulkan 1.4.312 (NVIDIA H100 80GB HBM3), NVIDIA)")
    with pytest.raises(ValueError, match="gpu="):
        Renderer(gpu="yes")


def test_gpu_off_pins_webgl_to_swiftshader_whatever_vulkan_driver_the_machine_names(monkeypatch, tmp_path):
    # On a GPU box Chromium's loader found the NVIDIA driver by itself and WebGL left SwiftShader
    # (pixels then depend on the machine). gpu="off" names SwiftShader's driver as the only one:
    # a machine-wide setting pointing elsewhere (here a driver manifest that loads nothing) is ignored.
    from codepaint_env.render import Renderer
    from codepaint_env.render.browser.chromium import DEBIAN_CHROMIUM, swiftshader_icd, write_launcher

    bogus = tmp_path / "gpu_icd.json"
    bogus.write_text('{"file_format_version": "1.0.0", "ICD": {"library_path": "/nonexistent/libgpu.so", '
                     '"api_version": "1.3.0"}}')
    monkeypatch.setenv("VK_DRIVER_FILES", str(bogus))
    monkeypatch.setenv("VK_ICD_FILENAMES", str(bogus))
    with Renderer(cache_size=0) as r:
        info = r.gpu_info()
        res = r.render(SIMPLE_P5, "p5", size=64)
    assert "SwiftShader" in (info["webgl_renderer"] or "") and res.ok
    icd = swiftshader_icd(DEBIAN_CHROMIUM)
    assert icd is not None and icd.endswith("vk_swiftshader_icd.json")
    launcher = write_launcher(DEBIAN_CHROMIUM, netns=None, cgroup=None, vulkan_driver=icd)
    try:
        with open(launcher) as fh:
            assert f'VK_DRIVER_FILES="{icd}"' in fh.read()
    finally:
        import os

        os.unlink(launcher)


def test_a_p5_syntax_error_says_where(renderer):
    code = "function setup() {\n  createCanvas(64, 64);\n  background(200;\n}\n"
    res = renderer.render(code, "p5", size=64)
    assert res.error_kind == "syntax"
    assert res.messages[0].startswith("SyntaxError: ") and "(line 3, column" in res.messages[0], res.messages

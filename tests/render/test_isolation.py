"""Successive renders in one slot share nothing a program can see (see browser.py's docstring)."""

from __future__ import annotations

import pytest

from codepaint_env.render import Renderer

pytestmark = pytest.mark.browser

WRITE = """async function setup() {
  createCanvas(64, 64); background(200); circle(32, 32, 20);
  localStorage.setItem('secret', 'ls'); sessionStorage.setItem('secret', 'ss');
  document.cookie = 'secret=c1; path=/';
  document.cookie = 'secret2=c2; domain=codepaint.invalid; path=/';
  window.name = 'secret-name';
  history.pushState({}, '', '#pushed');
  await new Promise((res) => { const r = indexedDB.open('secretdb', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('s'); r.onsuccess = res; r.onerror = res; });
  try { const c = await caches.open('secret'); await c.put('/x', new Response('cached')); } catch (e) {}
  window.__leftover = 'global';
}"""

READ = """async function setup() {
  createCanvas(64, 64); background(200); circle(32, 32, 20);
  const found = [];
  if (localStorage.getItem('secret')) found.push('localStorage');
  if (sessionStorage.getItem('secret')) found.push('sessionStorage');
  if (document.cookie.includes('secret')) found.push('cookie:' + document.cookie);
  if (window.name) found.push('window.name:' + window.name);
  if (window.__leftover) found.push('global');
  if (history.length > 2) found.push('history:' + history.length);
  const dbs = indexedDB.databases ? await indexedDB.databases() : [];
  if (dbs.some((d) => d.name === 'secretdb')) found.push('indexedDB');
  try { if ((await caches.keys()).includes('secret')) found.push('caches'); } catch (e) {}
  console.log('found: ' + (found.join(',') || 'nothing'));
}"""


def test_nothing_survives_from_one_render_to_the_next():
    with Renderer(max_pages=1, cache_size=0) as r:
        first = r.render(WRITE, "p5", size=64)
        assert first.ok, first.messages
        second = r.render(READ, "p5", size=64)
        assert second.ok, second.messages
        assert "console.log: found: nothing" in second.messages, second.messages
        assert r.pool.slots_made == 1  # both ran in the same slot: the test tests the reuse


def test_same_program_same_picture_in_a_fresh_or_a_used_slot():
    sketch = ("function setup(){createCanvas(64,64);background(250);noStroke();"
              "for(let i=0;i<30;i++){fill(random(255),random(255),random(255));"
              "circle(random(64),random(64),random(5,15));}}")
    with Renderer(max_pages=1, cache_size=0) as r:
        fresh = r.render(sketch, "p5", size=64, seed=11)
        for i in range(3):
            r.render(WRITE.replace("200", str(100 + i)), "p5", size=64)
        used = r.render(sketch, "p5", size=64, seed=11)
    assert fresh.sha256 == used.sha256


def test_a_page_left_animating_does_not_run_between_renders():
    busy = ("<html><body><p id=n>0</p><script>let n=0; (function tick(){ n++; "
            "document.getElementById('n').textContent=n; requestAnimationFrame(tick); })();"
            "setInterval(() => { for (let i = 0; i < 1e6; i++); }, 1);</script></body></html>")
    with Renderer(max_pages=1, cache_size=0) as r:
        assert r.render(busy, "html", size=64).ok
        slot = r.pool._idle[0]
        assert slot.frozen  # parked frozen: no timers or animation frames until the next render


def test_strict_mode_uses_a_fresh_context_per_render():
    with Renderer(max_pages=1, slot_renders=1, cache_size=0) as r:
        r.render(WRITE, "p5", size=64)
        second = r.render(READ, "p5", size=64)
        assert "console.log: found: nothing" in second.messages
        assert r.pool.slots_made == 2

// codepaint page harness, part 1: runs before any script of the page (an init script of the
// slot, the same for every render). The render's configuration (seed, frames, limits, the
// pinned JS it runs) comes in the address's fragment, `#codepaint=<JSON>`, taken off the address
// before anything else runs. Everything lives in a closure; the page sees only
// `window.__codepaint`, the hooks the p5 harness and the renderer need.
(() => {
  // ---- containment inside the page, in every frame (the OS-level network block is the real
  // one; these stop dialogs and popups early and keep WebRTC from even trying).
  window.alert = () => {};
  window.confirm = () => false;
  window.prompt = () => null;
  window.print = () => {};
  let popups = 0;
  window.open = () => { popups++; return null; };
  // A link or a form that would open another window (target=_blank, a named target) is a popup
  // too: stopped here, at the moment it is clicked or submitted, unless the page cancelled it
  // itself (the browser's own popup handler, later and asynchronous, stays the backstop).
  const newWindow = (t) => !['', '_self', '_parent', '_top'].includes(String(t || '').toLowerCase());
  const baseTarget = () => {
    const b = document.querySelector('base[target]');
    return b ? b.getAttribute('target') : '';
  };
  window.addEventListener('click', (e) => {
    const a = !e.defaultPrevented && e.target && e.target.closest ? e.target.closest('a[href], area[href]') : null;
    if (a && newWindow(a.getAttribute('target') || baseTarget())) { e.preventDefault(); popups++; }
  });
  window.addEventListener('submit', (e) => {
    const f = e.target;
    const t = (e.submitter && e.submitter.getAttribute('formtarget')) || (f && f.getAttribute('target'));
    if (!e.defaultPrevented && f && newWindow(t || baseTarget())) { e.preventDefault(); popups++; }
  });
  for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel']) {
    try { delete window[name]; } catch (e) { /* not configurable */ }
    try { Object.defineProperty(window, name, { value: undefined, configurable: false }); } catch (e) {}
  }
  if (window !== window.top) return;              // the harness hooks live in the top frame only
  const key = '#codepaint=';
  if (!location.hash.startsWith(key)) return;       // not a render (the slot's warm-up page)
  const cfg = JSON.parse(decodeURIComponent(location.hash.slice(key.length)));
  history.replaceState(null, '', location.href.slice(0, location.href.indexOf('#')));
  window.name = '';                                 // the one thing a tab carries across origins
  const t0 = performance.now();

  // ---- determinism: a seeded Math.random (sfc32) and a fixed wall clock start
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = cfg.seed >>> 0;
  const sfc32 = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11); d = (d + 1) | 0; t = (t + d) | 0; c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) sfc32();
  Math.random = sfc32;
  const RealDate = Date;
  const epoch = cfg.epoch_ms;
  const now = () => epoch + (performance.now() - t0);
  class FixedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(now()); else super(...args); }
    static now() { return Math.floor(now()); }
  }
  window.Date = FixedDate;

  // ---- results
  const state = {
    calls: Object.create(null),  // counted API calls -> RenderResult.api_calls (brush.*, text)
    errors: [],          // {name, message}
    network_errors: 0,   // refused requests that surfaced as uncaught errors
    navigations: [],     // attempts to navigate the page away
    frames: 0,
    popups: () => popups,
    started: false,
    canvas: null,
  };
  let resolveDone;
  const done = new Promise((res) => { resolveDone = res; });
  let finished = false;
  const finish = (extra) => {
    if (finished) return;
    finished = true;
    const info = Object.assign({
      api_calls: Object.assign({}, state.calls),
      page_ms: performance.now() - t0,
      frames: state.frames,
      errors: state.errors.slice(0, 20),
      network_errors: state.network_errors,
      navigations: state.navigations.slice(0, 10),
      popups: popups,
      canvas: state.canvas,
    }, extra || {});
    if (window.__codepaint && window.__codepaint.collect) Object.assign(info, window.__codepaint.collect());
    resolveDone(info);
  };
  const recordError = (name, message) => {
    state.errors.push({ name: String(name || 'Error'), message: String(message || '').slice(0, 1000) });
  };
  // A request the sandbox refused surfaces as a TypeError whose timing is the network's, not the
  // program's: noted, never fatal, so the same program always gets the same verdict.
  const networkFailure = (name, message) =>
    name === 'TypeError' && /Failed to fetch|NetworkError|Load failed|network error/i.test(message);
  const uncaught = (name, message) => {
    if (networkFailure(name, message)) { state.network_errors++; return; }
    recordError(name, message);
    if (cfg.fatal_errors) finish();
  };
  window.addEventListener('error', (e) => {
    if (e.error !== undefined || e.message) {
      const err = e.error;
      // where in the program: a syntax error has no stack the policy could read otherwise
      const where = e.lineno && /\/sketch\.js$/.test(String(e.filename || ''))
        ? ` (line ${e.lineno}, column ${e.colno})` : '';
      uncaught(err && err.name ? err.name : (/SyntaxError/.test(e.message) ? 'SyntaxError' : 'Error'),
               (err && err.message !== undefined ? err.message : e.message) + where);
    }
  });
  window.addEventListener('unhandledrejection', (e) => {
    const r = e.reason;
    uncaught(r && r.name ? r.name : 'Error', r && r.message !== undefined ? r.message : String(r));
  });

  // ---- text drawn on a 2D canvas (p5's 2D text(), a page's own canvas): counted, never changed.
  // A call that writes nothing visible is not text. The gate's no_text check reads the counts.
  const visible = (s) => /\S/.test(String(s === undefined || s === null ? '' : s));
  for (const Ctx of [window.CanvasRenderingContext2D, window.OffscreenCanvasRenderingContext2D]) {
    if (!Ctx) continue;
    for (const name of ['fillText', 'strokeText']) {
      const orig = Ctx.prototype[name];
      if (typeof orig !== 'function') continue;
      const key = 'canvas.' + name;
      Ctx.prototype[name] = { [name](text, ...rest) {
        if (visible(text)) state.calls[key] = (state.calls[key] || 0) + 1;
        return orig.call(this, text, ...rest);
      } }[name];
    }
  }

  // Navigating the page away is reported at the moment it is attempted (the browser blocks it).
  if (window.navigation && navigation.addEventListener) {
    navigation.addEventListener('navigate', (e) => {
      if (e.destination.sameDocument) return;          // hash / pushState routing is fine
      state.navigations.push(String(e.destination.url).slice(0, 300));
      try { if (e.cancelable) e.preventDefault(); } catch (err) { /* not cancelable: routed away */ }
    });
  }

  const raf = () => new Promise((res) => requestAnimationFrame(() => res()));
  const settle = async () => {
    try { await document.fonts.ready; } catch (e) { /* fonts are best effort */ }
    for (let i = 0; i < cfg.settle_frames; i++) await raf();
  };

  window.__codepaint = {
    config: cfg, state, finish, recordError, settle, visible,
    done: () => done,
    collect: null,       // set by the p5 harness
  };

  if (cfg.wait === 'load') {
    // SVG and HTML: load + fonts ready + a couple of animation frames.
    window.addEventListener('load', async () => { await settle(); finish(); });
  }

  // Interaction renders only (Renderer.interact): remember which event types each target
  // listens to, so the interaction probe can find controls wired up with addEventListener.
  if (cfg.track_listeners) {
    const seen = new WeakMap();
    const add = EventTarget.prototype.addEventListener;
    const addEventListener = function addEventListener(type, listener, options) {
      try {
        let types = seen.get(this);
        if (!types) { types = new Set(); seen.set(this, types); }
        types.add(String(type));
      } catch (e) { /* a revoked proxy or an exotic target: not tracked */ }
      return add.call(this, type, listener, options);
    };
    Object.defineProperty(EventTarget.prototype, 'addEventListener',
                          { value: addEventListener, writable: true, configurable: true, enumerable: true });
    window.__codepaint.listeners = (target) => Array.from(seen.get(target) || []);
  }
})();

// codepaint interaction probe (rewards.interactive): evaluated on a rendered page by an
// interaction hook, never part of a plain render. Returns an object kept alive as a JSHandle:
// it finds the visible controls, counts DOM mutations and snapshots form values.
(opts) => {
  // The text caret blinks on its own clock: hidden, as Playwright's screenshots hide it, so a
  // typed-into field's pixels say what the page did, not where the blink was.
  const noCaret = document.createElement('style');
  noCaret.textContent = '*, *::before, *::after { caret-color: transparent !important; }';
  (document.head || document.documentElement).appendChild(noCaret);
  const hooks = window.__codepaint || {};
  const state = hooks.state || { navigations: [] };
  const popups = () => (typeof state.popups === 'function' ? state.popups() : 0);  // init.js's count
  const tracked = typeof hooks.listeners === 'function' ? hooks.listeners : () => [];
  const POINTER = ['click', 'dblclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup',
                   'touchstart', 'touchend'];
  const KEYS = ['keydown', 'keyup', 'keypress'];
  const SKIP_INPUT = new Set(['hidden', 'file', 'color', 'date', 'datetime-local', 'month', 'week', 'time']);
  const BUTTON_INPUT = new Set(['button', 'submit', 'reset', 'image']);
  const ROLES = { button: 'button', tab: 'tab', link: 'link', menuitem: 'button', switch: 'toggle',
                  checkbox: 'toggle', radio: 'toggle', option: 'button' };
  const W = innerWidth, H = innerHeight;

  const listens = (t, types) => {
    if (!t) return false;
    try { if (types.some((n) => typeof t['on' + n] === 'function')) return true; } catch (e) {}
    try { return tracked(t).some((n) => types.includes(n)); } catch (e) { return false; }
  };
  const globalKeys = [window, document, document.documentElement, document.body].some((t) => listens(t, KEYS));

  const kindOf = (el) => {
    const tag = el.localName;
    if (tag === 'input') {
      const type = (el.getAttribute('type') || 'text').toLowerCase();
      if (SKIP_INPUT.has(type)) return null;
      if (BUTTON_INPUT.has(type)) return 'button';
      if (type === 'checkbox' || type === 'radio') return 'toggle';
      return type === 'range' ? 'range' : 'text';
    }
    if (tag === 'textarea') return 'text';
    if (tag === 'select') return 'select';
    if (tag === 'button' || tag === 'summary') return 'button';
    if (tag === 'a' && el.hasAttribute('href')) return 'link';
    if (tag === 'canvas') {
      if (listens(el, POINTER)) return 'canvas';
      return listens(el, KEYS) || globalKeys ? 'keys' : null;
    }
    const role = ROLES[(el.getAttribute('role') || '').toLowerCase()];
    if (role) return role;
    if (el.isContentEditable && el.hasAttribute('contenteditable')) return 'text';
    if (tag !== 'html' && tag !== 'body' && listens(el, POINTER)) return 'other';
    return null;
  };
  const disabled = (el) => el.disabled === true || el.getAttribute('aria-disabled') === 'true'
    || !!el.closest('[inert], fieldset[disabled]');
  const label = (el, kind) => {
    const value = kind === 'toggle' || kind === 'range' ? '' : el.value;
    const text = el.getAttribute('aria-label') || el.innerText || value || el.getAttribute('placeholder')
      || el.getAttribute('alt') || el.getAttribute('title') || '';
    return String(text).replace(/\s+/g, ' ').trim().slice(0, 40);
  };

  // ---- candidates: visible, enabled, in the viewport, and the topmost control at their centre
  const found = [];
  const all = Array.from(document.querySelectorAll('*')).slice(0, opts.max_scan || 20000);
  const kinds = new Map();
  for (const el of all) { const k = kindOf(el); if (k) kinds.set(el, k); }
  for (const [el, kind] of kinds) {
    if (disabled(el)) continue;
    if (el.checkVisibility && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const r = el.getBoundingClientRect();
    const x0 = Math.max(0, r.left), y0 = Math.max(0, r.top);
    const x1 = Math.min(W, r.right), y1 = Math.min(H, r.bottom);
    if (x1 - x0 < 4 || y1 - y0 < 4) continue;
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    let owner = document.elementFromPoint(cx, cy);
    while (owner && !kinds.has(owner)) owner = owner.parentElement;
    if (owner !== el) continue;          // covered, or a container whose centre is another control
    found.push({ el, kind, x: x0, y: y0, w: x1 - x0, h: y1 - y0, cx, cy });
  }
  if (globalKeys && !found.some((c) => c.kind === 'keys') && document.body) {
    found.push({ el: document.body, kind: 'keys', x: 0, y: 0, w: W, h: H, cx: W / 2, cy: H / 2, page: true });
  }
  const els = found.map((c) => c.el);

  // ---- DOM mutations: a node (and attribute) that changed while idle is animation, not an effect
  let records = [];
  const animated = new WeakMap();
  const mo = new MutationObserver((list) => { records.push(...list); if (records.length > 20000) records = records.slice(-10000); });
  mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const keyOf = (r) => r.type + ':' + (r.attributeName || '');
  const take = () => { const out = records.concat(mo.takeRecords()); records = []; return out; };

  const values = (i) => JSON.stringify(Array.from(document.querySelectorAll('input, textarea, select'))
    .filter((c) => c !== els[i])
    .map((c) => [c.value, c.checked === true, c.selectedIndex === undefined ? -1 : c.selectedIndex]));
  const frames = (n) => new Promise((res) => {
    const step = () => (n-- <= 0 ? res() : requestAnimationFrame(step));
    step();
  });

  return {
    candidates: () => found.map((c, i) => ({
      index: i, kind: c.kind, tag: c.page ? 'page' : c.el.localName, id: c.el.id || '',
      cls: typeof c.el.className === 'string' ? c.el.className.trim().split(/\s+/)[0] || '' : '',
      label: c.page ? 'keyboard' : label(c.el, c.kind), type: (c.el.getAttribute('type') || '').toLowerCase(),
      canvas: c.page || c.el.localName === 'canvas',
      x: c.x, y: c.y, w: c.w, h: c.h, cx: c.cx, cy: c.cy,
    })),
    // Where a candidate is now (null when it is gone, hidden or covered).
    locate: (i) => {
      const el = els[i];
      if (found[i].page) return { x: 0, y: 0, w: W, h: H, cx: W / 2, cy: H / 2 };
      if (!el || !el.isConnected || disabled(el)) return null;
      const r = el.getBoundingClientRect();
      const x0 = Math.max(0, r.left), y0 = Math.max(0, r.top);
      const x1 = Math.min(W, r.right), y1 = Math.min(H, r.bottom);
      if (x1 - x0 < 4 || y1 - y0 < 4) return null;
      const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
      const hit = document.elementFromPoint(cx, cy);
      if (!hit || !(hit === el || el.contains(hit) || (hit.control && hit.control === el))) return null;
      return { x: x0, y: y0, w: x1 - x0, h: y1 - y0, cx, cy };
    },
    settle: async (ms, n) => { await frames(n || 2); await new Promise((res) => setTimeout(res, ms)); },
    // Before an action: forget what hovering and focusing did; the other controls' values.
    mark: (i) => { take(); return { values: values(i), navigations: (state.navigations || []).length,
                                     popups: popups() }; },
    // Mutations since the last call are remembered as animation (an idle window).
    idle: () => {
      for (const r of take()) {
        let keys = animated.get(r.target);
        if (!keys) { keys = new Set(); animated.set(r.target, keys); }
        keys.add(keyOf(r));
      }
    },
    // After an action: its mutations (animation excluded), the values, the navigations attempted.
    measure: (i, since) => ({
      effects: take().filter((r) => !(animated.get(r.target) || new Set()).has(keyOf(r))).length,
      values: values(i),
      navigations: (state.navigations || []).slice(since),
      popups: popups(),
    }),
    blur: () => { const a = document.activeElement; if (a && a !== document.body && a.blur) a.blur(); },
    focus: (i) => { const el = els[i]; if (el && el.focus) el.focus({ preventScroll: true }); },
    blurTarget: (i) => { const el = els[i]; if (el && el.blur) el.blur(); },
    // The next option of a <select> (or the one whose label or value is `text`), as a user would.
    select: (i, text) => {
      const el = els[i];
      if (!el || el.localName !== 'select' || !el.options.length) return false;
      let next = (el.selectedIndex + 1) % el.options.length;
      if (text) {
        const hit = Array.from(el.options).findIndex((o) => o.value === text || o.label === text);
        if (hit >= 0) next = hit;
      }
      el.selectedIndex = next;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    },
    stop: () => mo.disconnect(),
  };
}

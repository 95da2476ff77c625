// codepaint page harness, part 2: runs after p5 (and p5.brush) loaded, before the sketch.
// Hooks p5's lifecycle to capture the first complete frame, counts brush.* calls, records
// made-up brush methods without stopping the sketch, and caps canvas sizes. Works with p5.js 2.x
// (p5.registerAddon lifecycles) and 1.x (p5.prototype.registerMethod hooks).
(() => {
  const cp = window.__codepaint;
  const cfg = cp.config;

  // ---- canvas size cap: refuse before the browser tries to allocate it
  const capSize = (name, orig) => function (w, h, ...rest) {
    const W = Number(w), H = Number(h);
    if (W > cfg.max_canvas || H > cfg.max_canvas || W * H > cfg.max_canvas * cfg.max_canvas) {
      throw new RangeError(`codepaint:too_large ${name}(${w}, ${h}) exceeds the ${cfg.max_canvas} px limit`);
    }
    return orig.call(this, w, h, ...rest);
  };
  for (const name of ['createCanvas', 'resizeCanvas', 'createGraphics', 'createFramebuffer']) {
    const orig = p5.prototype[name];
    if (typeof orig !== 'function') continue;
    if (name === 'createFramebuffer') {
      p5.prototype[name] = function (opts) {
        if (opts && (opts.width || opts.height)) capSize(name, () => null).call(this, opts.width || 0, opts.height || 0);
        return orig.apply(this, arguments);
      };
    } else {
      p5.prototype[name] = capSize(name, orig);
    }
  }

  // ---- brush.* instrumentation
  const calls = cp.state.calls;
  const unknown = new Set();
  const allow = cfg.allowed_api ? new Set(cfg.allowed_api) : null;
  const violations = new Set();
  if (window.brush && typeof window.brush === 'object') {
    const real = window.brush;
    const wrapped = new Map();
    const noop = function () { return undefined; };
    const proxy = new Proxy(real, {
      get(target, key) {
        if (typeof key !== 'string') return Reflect.get(target, key);
        if (!(key in target)) {
          if (key === 'then' || key === 'toJSON') return undefined;  // probes by Promise / JSON
          unknown.add('brush.' + key);
          return noop;
        }
        const value = target[key];
        if (typeof value !== 'function') return value;
        if (!wrapped.has(key)) {
          const count = () => {
            const k = 'brush.' + key;
            calls[k] = (calls[k] || 0) + 1;
            if (allow && !allow.has(k) && !allow.has(key)) violations.add(k);
          };
          wrapped.set(key, new Proxy(value, {
            apply(fn, self, args) { count(); return Reflect.apply(fn, self === proxy ? target : self, args); },
            construct(fn, args, nt) { count(); return Reflect.construct(fn, args, nt === wrapped.get(key) ? fn : nt); },
          }));
        }
        return wrapped.get(key);
      },
    });
    window.brush = proxy;
  }

  // ---- text instrumentation: p5's text functions with something visible to write are counted
  // as p5.<name> (main canvas and graphics buffers, 2D and WEBGL; fonts' textToPoints & co.).
  const countText = (owner, name) => {
    if (!owner || typeof owner[name] !== 'function') return;
    const orig = owner[name];
    const key = 'p5.' + name;
    owner[name] = { [name](str, ...rest) {
      if (cp.visible(str)) calls[key] = (calls[key] || 0) + 1;
      return orig.call(this, str, ...rest);
    } }[name];
  };
  const textOwners = [p5.prototype, p5.Graphics && p5.Graphics.prototype];
  for (const owner of textOwners) {
    if (owner && (owner === p5.prototype || owner.text !== p5.prototype.text)) countText(owner, 'text');
  }
  for (const name of ['textToPoints', 'textToContours', 'textToModel']) {
    countText(p5.prototype, name);
    if (p5.Font) countText(p5.Font.prototype, name);
  }

  // ---- lifecycle: capture after setup (no draw) or after `frames` draws, or as soon as the
  // sketch stops looping (noLoop() in setup or draw: no later frame will come); then stop.
  let frames = 0;
  const looping = (inst) => (typeof inst.isLooping === 'function' ? inst.isLooping() : inst._loop !== false);
  // A setup() that throws or rejects (an await on a request the sandbox refused, say) ends the
  // render at once: the sketch can never reach its first frame.
  const guardSetup = (inst) => {
    const ctx = inst._isGlobal ? window : inst;
    const user = ctx.setup;
    if (typeof user !== 'function') return;
    ctx.setup = async function (...args) {
      try {
        return await user.apply(this, args);
      } catch (e) {
        cp.recordError(e && e.name ? e.name : 'Error', e && e.message !== undefined ? e.message : String(e));
        cp.finish();
        throw e;
      }
    };
  };
  const afterSetup = function () {
    const ctx = this._isGlobal ? window : this;
    if (typeof ctx.draw !== 'function') { noteCanvas(this); cp.finish(); }
  };
  const afterDraw = function () {
    frames++;
    cp.state.frames = frames;
    if (frames >= cfg.frames || !looping(this)) { this.noLoop(); noteCanvas(this); cp.finish(); }
  };
  if (typeof p5.registerAddon === 'function') {            // p5.js 2.x
    p5.registerAddon((p5cls, fn, lifecycles) => {
      lifecycles.presetup = function () { cp.state.started = true; guardSetup(this); };
      lifecycles.postsetup = afterSetup;
      lifecycles.postdraw = afterDraw;
    });
  } else {                                                  // p5.js 1.x
    const proto = p5.prototype;
    let preloading = false;
    proto.registerMethod('init', function () { cp.state.started = true; });
    proto.registerMethod('beforePreload', function () { preloading = true; });
    proto.registerMethod('afterPreload', function () { preloading = false; });
    proto.registerMethod('afterSetup', afterSetup);
    proto.registerMethod('post', afterDraw);
    // 1.x reports a file that failed to load here (a no-op in its minified build) and, without a
    // failure callback, never finishes preload(): the sketch would wait out the timeout.
    p5._friendlyFileLoadError = function (type, path) {
      if (!preloading) return;
      cp.recordError('Error', `Failed to load ${path} in preload()`);
      cp.finish();
    };
  }
  const noteCanvas = (inst) => {
    const c = inst.canvas || (inst._renderer && inst._renderer.canvas);
    const webgl = !!(inst._renderer && inst._renderer.isP3D);
    if (c) cp.state.canvas = { width: c.width, height: c.height, webgl };
    if (webgl) waitForGPU(inst._renderer.GL || inst._renderer.drawingContext);
  };
  // A WebGL sketch's drawing runs in the GPU process after its script returns (on SwiftShader,
  // on the CPU: p5.brush's fills take ~100 ms there). A one-pixel read of the picture waits for
  // it, so the in-page time is the sketch's whole drawing and the capture only the capture.
  // Every binding the read touches is put back; it changes no pixel.
  const waitForGPU = (gl) => {
    if (!gl || typeof gl.readPixels !== 'function' || gl.isContextLost()) return;
    const two = typeof WebGL2RenderingContext !== 'undefined' && gl instanceof WebGL2RenderingContext;
    const saved = two
      ? [[gl.READ_FRAMEBUFFER, gl.getParameter(gl.READ_FRAMEBUFFER_BINDING)],
         [gl.PIXEL_PACK_BUFFER, gl.getParameter(gl.PIXEL_PACK_BUFFER_BINDING)]]
      : [[gl.FRAMEBUFFER, gl.getParameter(gl.FRAMEBUFFER_BINDING)]];
    try {
      if (two) { gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null); gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null); }
      else gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    } catch (e) { /* best effort: the capture waits for the GPU anyway */ }
    for (const [target, bound] of saved) {
      if (target === gl.PIXEL_PACK_BUFFER) gl.bindBuffer(target, bound); else gl.bindFramebuffer(target, bound);
    }
  };

  cp.collect = () => ({
    api_calls: Object.assign({}, calls),
    unknown_api: Array.from(unknown),
    api_violations: Array.from(violations),
    started: cp.state.started,
  });

  // ---- a program that never starts a sketch would wait forever: notice it after load
  window.addEventListener('load', async () => {
    await cp.settle();
    if (!cp.state.started) {
      cp.recordError('codepaint', 'no p5 sketch started: define setup()/draw() (global mode) or call new p5(...) (instance mode)');
      cp.finish();
    }
  });
})();

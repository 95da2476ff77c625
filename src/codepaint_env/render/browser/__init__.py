"""The browser backend: p5.js, p5.brush, SVG and HTML in a contained headless Chromium.

* :mod:`.chromium`: finding the browser, its launch command (network namespace, cgroups);
* :mod:`.webgl`: WebGL's paths (SwiftShader by default, a GPU on request);
* :mod:`.pool`: :class:`~.pool.BrowserPool`, pages in reusable slots, each render contained;
  its parts: :mod:`.slots` (browser, slot, render, page capture), :mod:`.launch` (starting
  Chromium), :mod:`.containment` (routing, page events), :mod:`.render_steps` (one render);
* :mod:`.pages`: the document each language is rendered in; :mod:`.assets`: the pinned JS;
  :mod:`.p5compat`: which p5.js a sketch needs;
* :mod:`.capture`: a page's capture -> :class:`~codepaint_env.core.result.RenderResult`;
* :mod:`.interaction`: acting on a live page (the interactive reward's hands).
"""

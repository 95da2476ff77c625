"""WebGL's path in the contained Chromium: software (SwiftShader) or the GPU (``Renderer(gpu=...)``).

The switches for each path and the probe that tells them apart; :class:`~.launch.BrowserLauncher`
launches with them (``_launch_on_gpu``) and the README's "WebGL on a GPU" says what was measured.
"""

from __future__ import annotations

from codepaint_env.render.settings import GPU_MODES

__all__ = ["GPU_BACKENDS", "GPU_MODES", "SOFTWARE_ARGS", "WEBGL_PROBE", "is_software_webgl"]

#: Switches for a hardware WebGL path, tried in this order by gpu="auto"/"on". Headless Chromium
#: has no window surface, so Vulkan runs without one; ``--ignore-gpu-blocklist`` because a
#: server GPU with no display is often on Chromium's blocklist. Each is kept only when a probe
#: page's WebGL renderer string names no software rasteriser (:func:`is_software_webgl`).
GPU_BACKENDS: dict[str, tuple[str, ...]] = {
    "vulkan": ("--enable-gpu", "--ignore-gpu-blocklist", "--use-angle=vulkan", "--disable-vulkan-surface",
               "--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan"),
    "egl": ("--enable-gpu", "--ignore-gpu-blocklist", "--use-gl=angle", "--use-angle=gl-egl"),
}
#: gpu="off": the browser as on a machine with no GPU: ``--disable-gpu`` (compositing in software
#: too), WebGL on ANGLE's Vulkan backend with the SwiftShader Vulkan driver Chromium ships as the
#: only driver its loader sees (``write_launcher(vulkan_driver=...)``). Same pixels and speed as
#: Chromium's defaults here. Without it a machine with a Vulkan GPU driver hands WebGL to the GPU
#: (seen on an H100 box, ``--use-vulkan=swiftshader`` notwithstanding), so pixels would depend on
#: the machine; and pinning the driver without ``--disable-gpu`` there left the compositor on the
#: GPU: 5.3 s in the page and 30 s a render instead of ~1 s.
SOFTWARE_ARGS = ("--disable-gpu", "--use-angle=vulkan")
#: The WebGL renderer string, as a page sees it (``None``: no WebGL at all).
WEBGL_PROBE = """() => {
  const c = document.createElement('canvas');
  const gl = c.getContext('webgl2') || c.getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
}"""


def is_software_webgl(renderer: str | None) -> bool:
    """True for no WebGL, or a WebGL renderer string that names a software rasteriser."""
    text = (renderer or "").lower()
    return not text or any(word in text for word in ("swiftshader", "llvmpipe", "softpipe", "software"))

"""Renders spread over a Ray cluster: :func:`~.renderer.RayRenderer`, over :class:`~.transport.RayTransport`.

Importing this loads no Ray (the transport imports it when made).
"""

from codepaint_env.render.ray.transport import RayTransport

__all__ = ["RayTransport"]

"""Renders spread over a Ray cluster: :class:`~.renderer.RayRenderer` (importing this loads no Ray)."""

"""The fast SVG backend: resvg in sandboxed worker processes, no browser.

* :mod:`.fast_svg`: sizing, checks and the render; :mod:`.pool`: the worker processes;
  :mod:`.worker`: the program each worker runs.
"""

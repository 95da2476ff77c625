"""codepaint rewards: swappable, composable reward backends for programs that draw.

Importing this package imports no torch, open_clip or playwright.
"""

__all__: list[str] = []

"""Where the public assets (``static/``) and the bar's source (``widget/``) are.

From a checkout (and an editable install) they are the repository's top-level folders; a wheel installs
them under ``<prefix>/share/masthead/`` (``[tool.setuptools.data-files]`` in pyproject.toml).
"""

from __future__ import annotations

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
INSTALLED = Path(sys.prefix) / "share" / "masthead"


def asset_dir(name: str) -> Path:
    """The ``static`` or ``widget`` folder: the checkout's if present, else the installed copy."""
    local = CHECKOUT / name
    return local if local.is_dir() else INSTALLED / name

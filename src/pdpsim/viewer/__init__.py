"""``pdpsim view``: a browser viewer served from the user's own machine.

- :mod:`pdpsim.viewer.session` -- the model being viewed (network, examples,
  training parameters), the state of every unit for every example and tick, and
  training in a background thread behind a lock;
- :mod:`pdpsim.viewer.server` -- the Starlette app, its JSON API and the
  static page (``static/``: hand-written HTML, JavaScript and CSS, no build step);
- :mod:`pdpsim.viewer.jupyter` -- HTML displays for notebooks.

The server runs on Starlette and uvicorn; the notebook displays need neither.
"""
from __future__ import annotations

from pdpsim.viewer.session import ViewerSession, load_source

__all__ = ["ViewerSession", "load_source"]

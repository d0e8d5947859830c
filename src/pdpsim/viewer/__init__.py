"""``pdpsim view``: a browser viewer served from the user's own machine.

- :mod:`pdpsim.viewer.session` -- the model being viewed (network, examples,
  training parameters), the state of every unit for every example and tick, and
  training in a background thread behind a lock;
- :mod:`pdpsim.viewer.server` -- the Starlette app, its JSON API and the
  static page (``static/``: hand-written HTML, JavaScript and CSS, no build step);
- :mod:`pdpsim.viewer.scripts` -- sessions on the network a Lens (``.tcl``, ``.in``) or PDP
  handbook (``.str``) script builds (``pdpsim view SCRIPT``, ``pdpsim lens --view``);
- :mod:`pdpsim.viewer.jupyter` -- HTML displays for notebooks.

The server runs on Starlette and uvicorn; the notebook displays need neither.
"""
from __future__ import annotations

__all__ = ["ViewerSession", "load_source"]


def __getattr__(name: str):
    # the session (and what it imports) loads on first use: ``import pdpsim`` imports only the displays
    if name in __all__:
        from pdpsim.viewer import session
        return getattr(session, name)
    raise AttributeError(f"module 'pdpsim.viewer' has no attribute {name!r}")

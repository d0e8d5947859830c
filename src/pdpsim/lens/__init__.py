"""Run Lens scripts on pdpsim: a Tcl 8.6 shell with Lens's commands and conventions.

>>> from pdpsim.lens import LensShell
>>> shell = LensShell()
>>> shell.eval("addNet xor 2 2 1; getObj numLinks")
'9'

See ``docs/lens.md`` for what is supported and how Lens's conventions map
onto pdpsim's.
"""
from pdpsim.lens.shell import LensShell, ScriptError, run_script
from pdpsim.lens.functions import LensError, NeedsTime

__all__ = ["LensShell", "ScriptError", "run_script", "LensError", "NeedsTime"]

"""The command line: ``pdpsim COMMAND ...`` (Click)."""
from pdpsim.cli.main import main

__all__ = ["main"]

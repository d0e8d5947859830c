"""Readers and writers for other simulators' file formats (Lens example files, ...)."""

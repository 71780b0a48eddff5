"""The ``cxops`` command line: thin commands that parse, call a pipeline and render."""

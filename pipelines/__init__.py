"""regmeter: who downloads from a package registry, and what each kind of client costs."""

__version__ = "0.1.0"

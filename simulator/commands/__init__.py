"""One module per command group.  Each exposes ``register(subparsers)`` which adds its
sub-commands and sets ``func`` (taking the parsed args, returning an exit code)."""

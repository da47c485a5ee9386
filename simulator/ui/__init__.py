"""The trainee's terminal: a Textual app over the same call session, speech loop and scorers as the CLI.

Only this package imports Textual.  Modules without ``screens``/``widgets``/``app`` in their name
(catalog, roster, attempts, typed_input, call_modes) are plain Python so tests and other tools can
use them without a terminal.
"""

"""The trainee's terminal: a Textual app over the same call session, speech loop and scorers as the CLI.

Only this package imports Textual, and inside it only ``app``, ``commands``, ``screens/`` and
``widgets/`` do.  The rest is plain Python that the screens call and tests use directly:

- ``context``: settings, roster, scenario catalog, training records, the signed-in trainee;
- ``catalog``, ``roster``, ``attempts``, ``progress``: scenarios, trainees, past calls, growth;
- ``call_io``, ``typed_input``, ``voice_input``: voiced or typed replies, mute, hang up, fall back;
- ``coaching``, ``evidence``, ``call_modes``: what the call and results screens show;
- ``playback``, ``device_probe``, ``errorlog``: replay, the device check, tracebacks for bug reports.
"""

"""Transcription: 16 kHz mono float32 speech -> ``Transcript`` (text, word timings).

- ``base``: the ``Transcriber`` protocol, ``TranscriberRegistry``, ``AsrModelError``
- ``registry``: ``builtin_transcribers()`` (faster-whisper default, openai-whisper) and
  ``transcriber_from_settings(settings)``
- ``worker``: ``AsrWorker``, the one thread that owns a model
- ``incremental``: ``IncrementalTranscriber``, transcribing while the trainee speaks
- ``guards``: the VAD gate and hallucination checks both backends share, the filler merge and the hyphen join
- ``audio_file``: ``read_audio(path)`` for any WAV (or PyAV-readable file)
- ``wer``: word error rate with text normalisation

Nothing here imports a heavy library at import time; models load on first use.
"""

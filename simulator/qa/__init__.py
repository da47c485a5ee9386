"""Quality assurance of recorded calls: a recording made elsewhere becomes a scored call record.

Above ASR and scoring: it transcribes and separates the speakers, then hands the record to the scorers.
"""

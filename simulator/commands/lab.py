"""Service-lab commands: trainees and teams, history, ratings, growth, star levels and exams, drills,
competitions and leaderboards, trainer reports, KPIs, export/import and forget, the case library
and mentoring.

Each group lives in ``simulator.lab.cli.<group>`` (its parsers and handlers); this module lists them.
"""

from __future__ import annotations

import argparse

from simulator.commands import review_app
from simulator.lab.cli import (
    cases,
    competitions,
    evaluation,
    mentoring,
    people,
    review,
    training,
    transfer,
)

# the order ``callsim --help`` lists them
GROUPS = (people, competitions, transfer, training, evaluation, cases, mentoring)


def register(subparsers: argparse._SubParsersAction) -> None:
    for group in GROUPS:
        group.register(subparsers)
    review_actions = review.register(subparsers)
    # `callsim review open` starts the app on the review screen: the UI is above the lab, so it is added here
    review_app.register_open(review_actions)

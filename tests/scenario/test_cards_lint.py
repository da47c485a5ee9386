"""The linter on knowledge cards: unknown fields, ranges that make no sense, cards no promise could
break and catch-all cards, each at FILE:LINE:COL."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario.diagnostics import Level

from .conftest import line_of
from .test_lint import codes, lint

REFUND_CARD = "    takes: {min: 3, max: 3, unit: working_days}"


def test_the_shipped_cards_are_clean(project, reference_text):
    assert "knowledge:" in reference_text
    _, found = lint(project, reference_text)
    assert found == []


def test_an_unknown_card_field_points_at_its_line(project, reference_text):
    text = reference_text.replace(REFUND_CARD, REFUND_CARD + "\n    waivable: false")
    path, found = lint(project, text)
    [diagnostic] = found
    assert diagnostic.code == "schema.extra_forbidden"
    assert diagnostic.format().startswith(f"{path}:{line_of(text, 'waivable: false')}:5: error: unknown key")


def test_a_backwards_range_is_an_error_at_its_max(project, reference_text):
    text = reference_text.replace(REFUND_CARD, "    takes: {min: 5,\n            max: 3, unit: working_days}")
    _, found = lint(project, text)
    [diagnostic] = [d for d in found if d.code == "card.range"]
    assert diagnostic.level == Level.ERROR and "max 3 is below min 5" in diagnostic.message
    assert diagnostic.position.line == line_of(text, "max: 3, unit")


def test_a_range_longer_than_a_year_is_a_warning(project, reference_text):
    text = reference_text.replace(REFUND_CARD, "    takes: {min: 3, max: 400, unit: weeks}")
    _, found = lint(project, text)
    [diagnostic] = [d for d in found if d.code == "card.range"]
    assert diagnostic.level == Level.WARNING and "check the unit" in (diagnostic.hint or "")


def test_a_card_nobody_could_break(project, reference_text):
    text = reference_text.replace(REFUND_CARD, "    takes: {min: 0, unit: days}")
    text = text.replace("    offer_up_to: {amount: 10, currency: GBP}\n",
                        "    fee: {amount: 5, waivable: true}\n")
    _, found = lint(project, text)
    unbreakable = [d for d in found if d.code == "card.unbreakable"]
    assert len(unbreakable) == 2
    assert "takes.min is 0" in unbreakable[0].message and "waivable" in unbreakable[1].message
    assert unbreakable[0].position.line == line_of(text, "- id: refund-timescale")


def test_a_card_without_about_words_beside_another_of_its_kind(project, reference_text):
    text = reference_text.replace("    about: [credit, goodwill, gesture, inconvenience, compensation]\n", "")
    text = text.replace("    offer_up_to: {amount: 10, currency: GBP}\n",
                        "    offer_up_to: {amount: 10, currency: GBP}\n    takes: {min: 1, unit: days}\n")
    _, found = lint(project, text)
    assert codes(found) == {"card.catch-all"}
    [diagnostic] = found
    assert "goodwill-credit" in diagnostic.message and "'refund-timescale'" in diagnostic.message


def test_duplicate_card_ids(project, reference_text):
    text = reference_text.replace("  - id: goodwill-credit", "  - id: refund-timescale")
    _, found = lint(project, text)
    assert "ids.duplicate" in codes(found)


def test_check_cli_reports_card_problems_with_file_and_line(project, reference_text, capsys):
    from simulator.cli import main

    text = reference_text.replace(REFUND_CARD, "    takes: {min: 5, max: 3, unit: working_days}")
    path: Path = project / "scenarios" / "case.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    assert f"{path}:{line_of(text, 'min: 5, max: 3')}:" in capsys.readouterr().out

"""The recommender keeps a trainee in one language: Mandarin scenarios sit in the same library as the
English ones, and an English trainee's first call must not be a Mandarin one (and the other way round)."""

from __future__ import annotations

from pathlib import Path

from simulator.lab.growth import load_catalog, recommend

SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"


def test_a_first_call_is_recommended_in_english_even_where_a_mandarin_one_is_easier(tmp_path):
    for name in ("zh-parcel-lost.yaml", "billing-overcharge.yaml"):  # difficulty 1 (zh) and 2 (en)
        (tmp_path / name).write_text((SHIPPED / name).read_text(encoding="utf-8"), encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert {info.id: info.language for info in catalog} == {"zh-parcel-lost": "zh", "billing-overcharge": "en"}
    assert recommend([], catalog).scenario_id == "billing-overcharge"
    mandarin_only = [info for info in catalog if info.language == "zh"]
    assert recommend([], mandarin_only).scenario_id == "zh-parcel-lost"  # a Mandarin-only library still works

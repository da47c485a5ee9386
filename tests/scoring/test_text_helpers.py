"""The phrase helpers every analyser leans on: whole words, any case, punctuation and apostrophes."""

from __future__ import annotations

from simulator.text import find_phrase, split_sentences, text_after


def test_a_phrase_matches_whole_words_only():
    assert find_phrase("Take care!", "take care") == "take care"
    assert find_phrase("Caretaker duty", "take care") is None
    assert find_phrase("I'll take careful notes", "take care") is None


def test_text_after_gives_what_follows_the_phrase_with_its_punctuation():
    assert text_after("You can do it online in the app.", "you can do it") == " online in the app."
    assert text_after("Keep going, mate.", "keep going") == ", mate."
    assert text_after("It\u2019ll be fine, I promise", "it'll be fine") == ", i promise"
    assert text_after("Keep... going!", "keep going") == "!"  # punctuation between the words
    assert text_after("Go ahead and keep it", "keep going") is None
    assert text_after("anything", "") is None


def test_text_after_does_not_match_inside_a_word():
    assert text_after("Housekeep going", "keep going") is None
    assert text_after("I'm with youth groups", "i'm with you") is None


def test_sentences_split_on_end_punctuation_semicolons_and_lines():
    assert split_sentences("Sorry! I'll fix it; it's done.\nAnything else?") == [
        "Sorry!", "I'll fix it", "it's done.", "Anything else?"]

"""A Mandarin reply read clause by clause (the Chinese half of ``clauses.split_clauses``).

Sentences end at 。！？；(and their ASCII forms) and line breaks.  Inside a sentence a clause starts
at a comma (，,：) or, in speech-recogniser text that has no punctuation, at a pause (a space
between words) or before a word that opens a new job: 但是/不过 (a turn), 所以 (a consequence), 我先/
我这边/我马上 (an action), 麻烦您/请问/请您 (a request), 另外/然后 (the next point)...  The enumeration
comma 、 joins items of one list and does not split.  Fragments with fewer than ``MIN_CHARS``
characters that carry a meaning (fillers 嗯/啊/呃/那个/就是 do not) join their neighbour: 好的 on its
own does no job.
"""

from __future__ import annotations

import re

from simulator.analysis.behaviour.clause import Clause, merge_short_spans

MIN_CHARS = 4

_SENTENCE_END = re.compile(r"(?<=[。！？!?])\s*|\s*[；;\n]\s*")
# A comma, a colon, or a run of spaces (a pause in recogniser text) between two words.
_COMMA_SPLIT = re.compile(r"\s*[，,：:]\s*|(?<=\S)\s+(?=\S)")
# Words that open a new job inside a sentence.  Longest first, so 我这边 wins over 我.
_OPENERS = sorted((
    "但是", "不过", "可是", "只是", "所以", "因此", "另外", "然后", "同时", "此外", "如果", "要是",
    "我先", "我这边", "我马上", "我现在", "我帮您", "我给您", "我会", "我们会", "我们这边", "稍后",
    "麻烦您", "请问", "请您", "您看", "您可以", "感谢您", "谢谢您", "还有什么",
), key=len, reverse=True)
_OPENER_SPLIT = re.compile(r"(?<=[^\s，,])(?=(?:" + "|".join(_OPENERS) + r"))")
_FILLERS = re.compile(r"[嗯啊呃哦噢唉哎呀吧呢的了]|那个|就是|这个|然后|好的|对的|是的|[\s，,。！？!?；;：:、\-—…~]")


def _meaningful_chars(text: str) -> int:
    return len(_FILLERS.sub("", text))


def _spans(text: str, pattern: re.Pattern[str], offset: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in pattern.finditer(text):
        if match.start() > start:
            spans.append((offset + start, offset + match.start()))
        start = max(start, match.end())
    if start < len(text):
        spans.append((offset + start, offset + len(text)))
    return spans


def _merge_short(reply: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Short fragments join the next piece while nothing longer came before them in the sentence,
    else the previous one (as in English); fillers alone (那个, 嗯) always lead into the next piece."""
    return merge_short_spans(spans, lambda span: _meaningful_chars(reply[span[0]:span[1]]), MIN_CHARS,
                             empty_leads_on=True)


def sentence_spans(reply: str) -> list[tuple[int, int]]:
    return _spans(reply, _SENTENCE_END, 0)


def split_clauses_zh(reply: str) -> list[Clause]:
    clauses: list[Clause] = []
    for sentence_index, (s_start, s_end) in enumerate(sentence_spans(reply)):
        pieces: list[tuple[int, int]] = []
        for c_start, c_end in _spans(reply[s_start:s_end], _COMMA_SPLIT, s_start):
            pieces.extend(_spans(reply[c_start:c_end], _OPENER_SPLIT, c_start))
        for start, end in _merge_short(reply, pieces):
            text = reply[start:end].strip(" ，,：:—-")
            if text:
                clauses.append(Clause(text, start, end, sentence_index))
    return clauses

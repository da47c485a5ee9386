"""The README stays a short guide for users, and every relative link in it and in docs/ leads somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.lazy import MissingPackage, require

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md")), REPO / "scenarios" / "README.md",
         REPO / "corpus" / "README.md"]
README_MAX_LINES = 160

FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`[^`]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def prose_lines(path: Path) -> list[tuple[int, str]]:
    """Numbered lines outside fenced code blocks (a `# comment` in a shell block is no heading)."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    for _, line in prose_lines(path):
        match = HEADING.match(line)
        if match:
            slug = github_anchor(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            if count:
                seen[f"{slug}-{count}"] = 1
    return set(seen)


def relative_links(path: Path) -> list[tuple[int, str]]:
    return [(number, target) for number, line in prose_lines(path)
            for target in LINK.findall(CODE_SPAN.sub("", line)) if not EXTERNAL.match(target)]


def broken_links(path: Path) -> list[str]:
    problems = []
    for number, target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.name}:{number}: {target}"
        if not linked.exists():
            problems.append(f"{where}: {linked} does not exist")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            problems.append(f"{where}: no heading '#{fragment}' in {linked.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_resolves_to_a_file_and_heading(page):
    assert broken_links(page) == []


def test_the_readme_links_to_every_page_in_docs():
    linked = {(README.parent / target.partition("#")[0]).resolve() for _, target in relative_links(README)}
    pages = {page.resolve() for page in (REPO / "docs").glob("*.md")}
    assert pages - linked == set(), "a page in docs/ that nobody can find from the README"


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## Install: by hand\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n"
        "[fine](other.md) [fine too](other.md#install-by-hand) [here](#page) [web](https://example.org/x)\n"
        "[gone](missing.md)\n"
        "[no such heading](other.md#uninstall)\n"
        "```\n[inside a code block](nowhere.md)\n# not a heading\n```\n"
        "`[in a code span](nowhere.md)` ![picture](gone.svg)\n",
        encoding="utf-8")
    assert broken_links(page) == [
        f"page.md:3: missing.md: {tmp_path / 'missing.md'} does not exist",
        "page.md:4: other.md#uninstall: no heading '#uninstall' in other.md",
        f"page.md:9: gone.svg: {tmp_path / 'gone.svg'} does not exist",
    ]


def test_the_readme_is_short_and_names_nothing_outside_a_users_clone():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < README_MAX_LINES
    assert "../shared" not in text


def test_the_readme_opens_with_the_two_commands_for_a_fresh_machine():
    first_block = README.read_text(encoding="utf-8").split("```")[1]
    assert "bash .ci/setup && .venv/bin/callsim play billing-overcharge" in first_block
    assert "bash .ci/run" in first_block
    assert (REPO / ".ci" / "setup").is_file() and (REPO / ".ci" / "run").is_file()
    assert (REPO / "scenarios" / "billing-overcharge.yaml").is_file()


@pytest.mark.parametrize("package, install", [
    ("torch", "pip install torch==2.13.0"),
    ("faster-whisper", "pip install faster-whisper  (after pip install torch==2.13.0"),
])
def test_a_missing_package_message_pins_torch_and_points_at_a_real_install_section(package, install):
    with pytest.raises(MissingPackage) as caught:
        require("callsim_test_no_such_module", package, feature="a test")
    message = str(caught.value)
    assert install in message
    assert "pip install torch " not in message and not message.rstrip().endswith("pip install torch")
    page, heading = re.search(r"see (docs/[\w.]+), \"([^\"]+)\"", message).groups()
    assert github_anchor(heading) in anchors(REPO / page)

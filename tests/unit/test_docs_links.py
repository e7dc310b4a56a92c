"""Every Markdown link of the front page, the changelog and docs/ resolves: the file it
points to exists and, when it names a section (`sources.md#what-happens-to-a-file`), that
file has the heading. Links in fenced code blocks are not links."""

from __future__ import annotations

import re
from pathlib import Path

from dagster_project.settings import REPO_ROOT

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
EXTERNAL = ("http://", "https://", "mailto:")


def _pages() -> list[Path]:
    return [REPO_ROOT / "README.md", REPO_ROOT / "CHANGELOG.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def _outside_code(text: str) -> str:
    kept, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            kept.append(re.sub(r"`[^`]*`", "", line))  # inline code is not a link either
    return "\n".join(kept)


def slug(heading: str) -> str:
    """A Markdown heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = _outside_code(page.read_text(encoding="utf-8"))
    return {slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def dangling_links(page: Path, root: Path = REPO_ROOT) -> list[str]:
    dangling = []
    for target in LINK.findall(_outside_code(page.read_text(encoding="utf-8"))):
        if target.startswith(EXTERNAL):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(root)}: {target}"
        if not linked.exists():
            dangling.append(f"{where} does not exist")
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            dangling.append(f"{where}: no heading #{anchor}")
    return dangling


def test_every_link_and_anchor_resolves():
    pages = _pages()
    assert len(pages) >= 12 and sum(len(LINK.findall(p.read_text())) for p in pages) > 50  # not vacuous
    dangling = [problem for page in pages for problem in dangling_links(page)]
    assert not dangling, "\n".join(dangling)


def test_a_dangling_link_or_anchor_is_caught(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## A section: here\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n[ok](other.md#a-section-here) [self](#page) [web](https://example.org)\n"
        "[gone](absent.md) [no section](other.md#elsewhere) [no self](#nowhere)\n"
        "```\n[in code](absent-too.md)\n```\n"
    )
    problems = [p.split(": ", 1)[1] for p in dangling_links(page, root=tmp_path)]
    assert problems == [
        "absent.md does not exist",
        "other.md#elsewhere: no heading #elsewhere",
        "#nowhere: no heading #nowhere",
    ]

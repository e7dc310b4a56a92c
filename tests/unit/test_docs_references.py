"""Every `docs/...` reference in the repository resolves: the file exists and, when the
reference names a section (`docs/nps.md#statistics`), the file has that heading."""

from __future__ import annotations

import re
import subprocess

from dagster_project.settings import REPO_ROOT
from tests.unit.test_docs_links import slug

REFERENCE = re.compile(r"(?<![\w/.$-])docs/([\w./-]*\w)(?:#([\w-]+))?")
TEXT_SUFFIXES = (".py", ".sql", ".yml", ".yaml", ".md", ".toml", ".json", ".cfg", ".txt")


def _tracked_text_files() -> list:
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [REPO_ROOT / n for n in names if n.endswith(TEXT_SUFFIXES) or n in ("Makefile", ".ci/run")]


def _references() -> list[tuple[str, str, str | None]]:
    found = []
    for path in _tracked_text_files():
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in REFERENCE.finditer(text):
            found.append((str(path.relative_to(REPO_ROOT)), match.group(1), match.group(2)))
    return found


def test_the_repository_cites_its_docs():
    cited = {target for _, target, _ in _references()}
    assert "nps.md" in cited  # the check below is not vacuous


def test_every_docs_reference_resolves():
    dangling = []
    for where, target, section in _references():
        document = REPO_ROOT / "docs" / target
        if not document.exists():
            dangling.append(f"{where}: docs/{target} does not exist")
            continue
        if section:
            headings = {
                slug(line.lstrip("#")) for line in document.read_text().splitlines() if line.startswith("#")
            }
            if section not in headings:
                dangling.append(f"{where}: docs/{target} has no section #{section}")
    assert not dangling, "\n".join(dangling)


def test_a_dangling_reference_is_caught():
    # Built from parts, so that this file cites no missing document itself.
    missing, section = "docs" + "/" + "absent.md", "docs" + "/" + "nps.md#no-such-section"
    refs = [(m.group(1), m.group(2)) for m in REFERENCE.finditer(f"see {missing} and {section}")]
    assert refs == [("absent.md", None), ("nps.md", "no-such-section")]
    assert not (REPO_ROOT / "docs" / "absent.md").exists()


CODE_PATH = re.compile(
    r"(?<![\w/.-])((?:dagster_project|dbt|tests|bench|expectations|config)/[\w/.-]*\w\.(?:py|sql|yml|json))"
)


def test_every_cited_code_path_exists():
    """Comments and docs that name a file of the repository name one that exists (a moved
    module leaves no stale pointer behind)."""
    stale = []
    for path in _tracked_text_files():
        if not path.is_file():
            continue
        for match in CODE_PATH.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if not (REPO_ROOT / match.group(1)).exists():
                stale.append(f"{path.relative_to(REPO_ROOT)}: {match.group(1)}")
    assert not stale, "\n".join(stale)

"""The layout tree (docs/development.md, "Layout") matches the repository: every path it
names exists, and every module of the Python package is named in it."""

from __future__ import annotations

import subprocess

from dagster_project.settings import REPO_ROOT


def _layout_block() -> list[str]:
    page = (REPO_ROOT / "docs" / "development.md").read_text()
    section = page[page.index("## Layout\n") :]
    block = section[section.index("```\n") + 4 :]
    return block[: block.index("```")].splitlines()


COMMENT_COLUMN = 29  # names stand left of it, their description from it on


def _named_paths() -> set[str]:
    """Full paths of the tree: a name's parent is the nearest shallower folder line above."""
    paths: set[str] = set()
    parents: list[tuple[int, str]] = []
    for line in _layout_block():
        names = line[:COMMENT_COLUMN].split()
        if not names:
            continue  # a description continued on the next line
        indent = len(line) - len(line.lstrip())
        parents = [(i, p) for i, p in parents if i < indent]
        prefix = parents[-1][1] if parents else ""
        paths.update(prefix + name for name in names)
        if names[0].endswith("/"):
            parents.append((indent, prefix + names[0]))
    return paths


def test_every_path_in_the_layout_exists():
    paths = _named_paths()
    assert "dagster_project/readers/types.py" in paths  # the parser sees nested names
    # Generated folders (the warehouse, the published file) are git-ignored, absent on a clone.
    missing = sorted(p for p in paths if not (REPO_ROOT / p).exists() and not _ignored(p))
    assert not missing, missing


def _ignored(path: str) -> bool:
    return subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO_ROOT, check=False).returncode == 0


def test_every_package_module_is_in_the_layout():
    named = _named_paths()
    modules = {
        p.relative_to(REPO_ROOT).as_posix()
        for p in (REPO_ROOT / "dagster_project").rglob("*.py")
        if p.name != "__init__.py" and "defs" not in p.parts and "sample_data" not in p.parts
    }
    unnamed = sorted(m for m in modules if m not in named)
    assert not unnamed, unnamed

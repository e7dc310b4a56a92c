"""The report's Vega scripts: vl-convert's bundle, built once per vl-convert version and then
read from the user's cache (a run's report costs ~2 s less)."""

from __future__ import annotations

import vl_convert

from dagster_project.report import page


def test_the_bundle_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = page.vega_bundle()
    assert built == vl_convert.javascript_bundle() and "vegaEmbed" in built
    [cached] = (tmp_path / "nps-warehouse").iterdir()
    assert vl_convert.__version__ in cached.name and cached.read_text(encoding="utf-8") == built

    def no_build():
        raise AssertionError("built again although cached")

    monkeypatch.setattr(vl_convert, "javascript_bundle", no_build)
    assert page.vega_bundle() == built


def test_an_unwritable_cache_still_gives_the_bundle(tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert "vegaEmbed" in page.vega_bundle()
    cached = tmp_path / "cache"
    (cached / "nps-warehouse").mkdir(parents=True)
    (cached / "nps-warehouse" / f"vega-bundle-vl-convert-{vl_convert.__version__}.js").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cached))
    assert "vegaEmbed" in page.vega_bundle()  # an empty cache file is built again

"""The static HTML report of the published marts (`nps-warehouse report`, asset `nps_report`):
`sections.py` reads what it shows, `charts.py` draws it (Vega-Lite via Altair), `page.py`
writes the self-contained pages."""

"""The webhook receiver (`nps-warehouse serve`): answers as survey tools post them.

Each verified event is written durably into its source's inbox folder as a JSON line of
canonical columns, grouped into segment files the inbox sensor lands like any export:
`service.py` (the app), `payloads.py` (formats), `signatures.py`, `spool.py` (durable
segments), `event_index.py` (event ids seen), `settings.py`.
"""

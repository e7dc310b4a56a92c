"""What each `nps-warehouse` command does; `cli.py` parses the arguments and dispatches."""

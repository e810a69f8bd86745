"""Stage 1: YAML text -> syntax tree (`checker.lang.syntax`), every node with its position."""
from checker.lang.parse import parse_model, parse_file

__all__ = ["parse_model", "parse_file"]

"""`python -m checker ...`: the same command line as the `checker` console script."""
from checker.cli import app

app(prog_name="checker")

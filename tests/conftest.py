"""Under CI (CI=true) the random tests are derandomised: the same examples on every run."""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

"""What a first run reads: the package metadata without deprecation warnings, and a README that says
what each demo account reaches."""

import re
import tomllib

from app.config import PROJECT_ROOT
from app.demo.services import DEMO_ACCOUNTS


def test_the_licence_is_an_spdx_expression_with_a_setuptools_that_reads_it():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"  # the table form makes setuptools warn
    (setuptools,) = [req for req in pyproject["build-system"]["requires"] if req.startswith("setuptools")]
    assert int(re.search(r">=(\d+)", setuptools).group(1)) >= 77  # PEP 639 support


def test_the_readme_says_the_secretary_reaches_their_branch_only():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| `secretary`")]
    secretary = next(account for account in DEMO_ACCOUNTS if account.username == "secretary")
    branch = secretary.unit_path.rsplit("/", 1)[-1]
    assert f"{branch} only" in row and secretary.unit_path in row
    assert "make run" in readme and "docs/deploy.md" in readme

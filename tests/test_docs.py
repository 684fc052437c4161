"""The documentation says what the code does: its links point at files that exist, its complete example
config is a valid config naming every field, and the exit statuses it lists are the CLI's."""
import json
import re
from dataclasses import fields
from pathlib import Path

import pytest

from bpdash.cli import main, status
from bpdash.cli.train import ROSE_FACTOR
from bpdash.config import ExperimentConfig

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CLI = ROOT / "docs" / "cli.md"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(page):
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text()):
        if "://" not in target:
            assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def example_config() -> str:
    text = CLI.read_text()
    return re.search(r"<!-- example-config.*?-->\s*```json\n(.*?)```", text, re.S).group(1)


def test_the_complete_example_config_is_valid_and_names_every_field(tmp_path, capsys):
    doc = json.loads(example_config())
    assert list(doc) == [f.name for f in fields(ExperimentConfig)]
    config = ExperimentConfig.from_dict(doc)
    assert config != ExperimentConfig()
    path = tmp_path / "example.json"
    path.write_text(example_config())
    assert main(["train", "--config", str(path), "--epochs", "3", "--quiet", "--out", str(tmp_path / "h.csv")]) == 0


def test_the_exit_statuses_listed_are_the_commands():
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", CLI.read_text(), re.M))
    codes = {value for name, value in vars(status).items() if name.isupper()}
    assert {int(code) for code in table} == codes
    assert f"{ROSE_FACTOR:g} ×" in table[str(status.COST_ROSE)]

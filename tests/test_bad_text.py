"""Text from outside is shown as text: a file name, CSV column names and run names that are
Markdown or HTML reach the page escaped, in messages (Markdown) and in figures (plotly's HTML
subset), so no image is fetched, no link is live and no style applies."""
import json
import re

import pytest

from apptest import click, run, start
from bpdash.charts.text import literal
from bpdash.ui.text import plain

FILE_NAME = "![x](http://127.0.0.1:9/pixel.png).csv"
LINK = '<a href="http://127.0.0.1:9/x">x1</a>'
STYLED = '<span style="color:red">x2</span>'
IMAGE_RUN = "![r](http://127.0.0.1:9/run.png)"
HTML = ("<a href", "<span style")  # what plotly (and Markdown with HTML) would render
MARKDOWN = ("](http", *HTML)  # plus a Markdown image or link
MESSAGES = ("markdown", "caption", "info", "warning", "error", "success")


def shown_text(at) -> list[str]:
    """Every Markdown body on the page: messages, captions, widget labels."""
    bodies = [str(e.value) for kind in MESSAGES for e in getattr(at, kind)]
    return bodies + [w.label for kind in ("button", "number_input", "selectbox") for w in getattr(at, kind)]


def strings(node):
    """Every string in a decoded JSON document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def figures(at) -> list[str]:
    """Every text of every plotly figure on the page (titles, legend entries, hover templates)."""
    return [text for chart in at.get("plotly_chart") for text in strings(json.loads(chart.proto.spec))]


def assert_inert(at):
    """No raw markup: in Markdown, every character of it backslash-escaped; in figures, none."""
    for body in (re.sub(r"\\.", "", text) for text in shown_text(at)):
        assert not any(raw in body for raw in MARKDOWN), body[:300]
    for text in figures(at):
        assert not any(raw in text for raw in HTML), text[:300]


@pytest.fixture
def hostile_csv():
    at = start()
    at.radio(key="data_source").set_value("CSV file")
    run(at)
    rows = "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40))
    at.file_uploader(key="csv_file").set_value((FILE_NAME, f"{LINK},{STYLED},y\n{rows}".encode(), "text/csv"))
    return run(at)


def test_a_hostile_file_name_is_shown_as_text_in_the_rebuild_notice(hostile_csv):
    assert_inert(hostile_csv)
    notices = [str(e.value) for e in hostile_csv.info]
    assert any(plain(FILE_NAME) in n and n.startswith("Rebuilt the network") for n in notices), notices


@pytest.mark.parametrize("view", ["Predictions", "Neurons"])
def test_hostile_column_names_are_text_in_figures(hostile_csv, view):
    hostile_csv.segmented_control(key="view").set_value(view)
    run(hostile_csv)
    assert_inert(hostile_csv)
    assert {literal(LINK), literal(STYLED)} <= set(figures(hostile_csv))  # the axis titles


def test_hostile_column_names_are_text_in_the_data_figure_and_the_point_editor(hostile_csv):
    at = hostile_csv
    at.segmented_control(key="view").set_value("Predictions")
    run(at)
    at.toggle(key="predictions_data_only").set_value(True)
    run(at)
    assert_inert(at)
    assert plain(LINK) in [w.label for w in at.number_input]  # the "add a point" inputs, labelled by column


def test_a_hostile_run_name_is_text_in_the_compare_view():
    at = click(start(), "step")
    at.segmented_control(key="view").set_value("Compare runs")
    run(at)
    at.text_input(key="compare_name").set_value(IMAGE_RUN)
    at = click(at, "compare_save")
    at.text_input(key="compare_name").set_value(LINK)
    at = click(at, "compare_save")
    at.selectbox(key="compare_heatmap_run").set_value(LINK)
    run(at)
    assert_inert(at)
    assert any(plain(repr(LINK)) in label for label in shown_text(at))  # the Delete button and the caption
    assert literal(LINK) in figures(at)  # the legend


def test_the_escapes_cover_everything_that_would_render():
    assert plain(FILE_NAME) == r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/pixel\.png\)\.csv"
    assert literal(LINK) == '&lt;a href="http://127.0.0.1:9/x"&gt;x1&lt;/a&gt;'
    assert literal("a & b") == "a &amp; b"

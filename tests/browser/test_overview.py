"""The Overview in a real browser (chromium at 1440×900 against `streamlit run app.py`).

- The page loads on the Overview with no error; its charts (network, data with the decision
  surface, cost) and the metrics sit on the first screen, without scrolling, beside the
  training controls.
- ▶ Play moves every chart and the epoch counter, frame after frame; ‖ Pause stops them.
- With few runs a second (many sessions playing), the board plays the states between runs.
- Twenty quick clicks on Step train twenty epochs.
- Long work stops when its tab closes: the server goes quiet within a few seconds.

Waits are on what the page shows (a condition checked in the page at each animation frame),
never fixed sleeps, except to see that nothing changes after Pause.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures skip (or, under BPDASH_REQUIRE_BROWSER, fail) saying why
    expect = None

EXPECT_MS = 30_000
FRAMES = 3  # Play must redraw every panel at least this many times

# True once every panel has been redrawn FRAMES more times than at `start` and the epoch moved on.
MOVED = """(board, [start, frames, epoch]) => {
    const counts = Array.from(board.querySelectorAll('canvas')).map(c => +(c.dataset.frames || 0));
    return counts.every((n, i) => n >= start[i] + frames) && +board.dataset.epoch > epoch; }"""

# True once every panel's canvas has the board's size (not a bare canvas's 300 × 150).
LAID_OUT = """board => Array.from(board.querySelectorAll('canvas')).every(c => c.clientHeight > 200)"""

FRAME_COUNTS = """board => Array.from(board.querySelectorAll('canvas')).map(c => +(c.dataset.frames || 0))"""


def on_board(ui, script: str) -> str:
    """``script``, a function of the board (and an argument), as a function of the argument alone
    that finds the board first (``ui.BOARD``); false while there is none yet."""
    return f"(arg) => {{ const board = ({ui.BOARD})(); return board ? ({script})(board, arg) : false; }}"


def test_the_overview_fits_the_first_screen_and_play_moves_every_chart(page, app_server, ui, shoot):
    ui.open(page, app_server.url)
    expect(page.get_by_role("heading", name="Backpropagation, step by step")).to_be_visible()
    assert ui.caption(page).startswith("Network 2-8-8-1 tanh/tanh/sigmoid") and ui.epoch(page) == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    page.wait_for_function(on_board(ui, LAID_OUT), timeout=EXPECT_MS)  # the board's own style has reached its canvases
    assert page.evaluate("() => window.scrollY") == 0
    for name, box in ui.panel_boxes(page).items():
        assert box and box["width"] > 200 and box["height"] > 200, (name, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"the {name} chart is not on the first screen: {box}"
    for control in ("Step", "▶ Play", "↺ Reset"):
        box = page.get_by_role("button", name=control, exact=True).bounding_box()
        assert box and box["y"] + box["height"] <= height, control
    epoch_box = ui.metric_value(page, "Epoch").bounding_box()
    assert epoch_box and epoch_box["y"] + epoch_box["height"] <= height
    shoot(page, "overview_first_screen")
    before = ui.panels(page)

    page.get_by_role("button", name="▶ Play").click()
    expect(page.get_by_role("button", name="‖ Pause")).to_be_visible(timeout=EXPECT_MS)
    start = page.evaluate(on_board(ui, FRAME_COUNTS))
    page.wait_for_function(on_board(ui, MOVED), arg=[start, FRAMES, 0], polling="raf", timeout=EXPECT_MS)
    playing = ui.panels(page)
    assert all(playing[name] != before[name] for name in before), "a chart did not change while playing"
    shoot(page, "overview_playing")

    page.get_by_role("button", name="‖ Pause").click()
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible(timeout=EXPECT_MS)
    ui.idle(page)
    paused, counts = ui.epoch(page), page.evaluate(on_board(ui, FRAME_COUNTS))
    page.wait_for_timeout(600)  # several frames' time: nothing trains or redraws after Pause
    assert ui.epoch(page) == paused and page.evaluate(on_board(ui, FRAME_COUNTS)) == counts
    ui.assert_clean(page)


# Samples the board at every animation frame: [frames drawn, frames received, epoch] each time.
SAMPLE_BOARD = """board => {
    window.boardSamples = [];
    const sample = () => { window.boardSamples.push([+(board.querySelector('canvas').dataset.frames || 0),
                                                     +(board.dataset.received || 0), +board.dataset.epoch]);
                           requestAnimationFrame(sample); };
    sample(); }"""

# True once the board has drawn `extra` frames more than it received since sampling began.
PLAYED_BETWEEN = """(extra) => { const s = window.boardSamples, [f0, r0] = s[0], [f, r] = s[s.length - 1];
    return r - r0 >= 2 && (f - f0) - (r - r0) >= extra; }"""


def test_with_few_runs_a_second_the_board_plays_the_states_between_them(server_factory, context, ui):
    """At 2 runs a second for the whole server (BPDASH_MAX_FRAMES_PER_S), the live area runs every
    0.5 s: each run brings the states training went through since the last, which the board draws
    in between, the epoch only going forward. After Pause the board shows the current state: one
    Step is one epoch more."""
    server = server_factory(BPDASH_MAX_FRAMES_PER_S="2")
    page = context.new_page()
    ui.open(page, server.url)
    page.get_by_role("button", name="▶ Play").click()
    expect(page.get_by_role("button", name="‖ Pause")).to_be_visible(timeout=EXPECT_MS)
    page.evaluate(on_board(ui, SAMPLE_BOARD))
    page.wait_for_function(PLAYED_BETWEEN, arg=6, polling="raf", timeout=EXPECT_MS)
    epochs = [epoch for _, _, epoch in page.evaluate("() => window.boardSamples")]
    assert epochs == sorted(epochs) and len(set(epochs)) > 6

    page.get_by_role("button", name="‖ Pause").click()
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible(timeout=EXPECT_MS)
    ui.idle(page)
    paused, counts = ui.epoch(page), page.evaluate(on_board(ui, FRAME_COUNTS))
    page.wait_for_timeout(1200)  # longer than a run's frames take to play: none is left to play
    assert ui.epoch(page) == paused and page.evaluate(on_board(ui, FRAME_COUNTS)) == counts
    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, paused + 1)
    ui.assert_clean(page)


def test_twenty_quick_clicks_on_step_train_twenty_epochs(page, app_server, ui):
    ui.open(page, app_server.url)
    step = page.get_by_role("button", name="Step", exact=True)
    step.evaluate("button => { for (let i = 0; i < 20; i++) button.click(); }")  # quicker than any hand
    ui.expect_epoch(page, 20)
    ui.idle(page)
    page.wait_for_timeout(300)
    assert ui.epoch(page) == 20
    ui.assert_clean(page)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_share(pid: int, seconds: float = 0.5) -> float:
    """The cores process ``pid`` used over the next ``seconds``."""
    start = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - start) / seconds


def test_training_stops_when_its_tab_closes(browser, app_server, ui):
    """Train N of 100,000 epochs on a wide network keeps the server busy; closing its tab stops
    it within a few seconds (the job asks whether its session is still connected)."""
    server = app_server
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    ui.open(page, f"{server.url}?hidden=64,64&n_samples=2000&epochs=100000")
    page.get_by_role("button", name="Train 100,000 epochs", exact=True).click()
    expect(page.get_by_role("button", name="■ Stop")).to_be_visible(timeout=EXPECT_MS)
    first = ui.epoch(page)
    deadline = time.monotonic() + 30
    while ui.epoch(page) <= first:  # training, whatever share of a busy machine the server gets
        assert time.monotonic() < deadline, "the server does not seem to be training"
        page.wait_for_timeout(200)
    context.close()
    deadline = time.monotonic() + 10
    while busy_share(server.pid) > 0.1:
        assert time.monotonic() < deadline, "the server still trains 10 s after its only tab closed"


def test_the_board_draws_a_stack_with_dropout_without_an_error(page, app_server, ui, shoot):
    """A dropout layer between two dense layers: the board draws its column (its neurons' maps
    are its input's), labels it with its rate, and moves on with a Step; nothing in the
    browser's console complains."""
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    ui.open(page, f"{app_server.url}?layers=dense:8:tanh,dropout:0.2,dense:4:tanh")
    assert ui.caption(page).startswith("Network 2-8-8-4-1 tanh/dropout/tanh/sigmoid")
    page.wait_for_function(on_board(ui, LAID_OUT), timeout=EXPECT_MS)
    label = page.evaluate(f"() => ({ui.BOARD})().querySelector('.panel.network canvas').getAttribute('aria-label')")
    assert label == "Network 2-8-8-4-1: layer 2 tanh, layer 3 dropout p = 0.2, layer 4 tanh, layer 5 sigmoid"
    before = ui.panels(page)
    shoot(page, "overview_dropout")

    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, 1)
    ui.idle(page)
    assert ui.panels(page)["network"] != before["network"]  # redrawn with the stepped θ
    ui.assert_clean(page)
    assert problems == []


# The data panel's pixels: how many are each class's full colour (the samples) and how many are
# any shade of each class (the surface), given the frame's colours, shade table and shades per class.
CLASS_PIXELS = """(board, [colours, table, levels]) => {
    const canvas = board.querySelector('.panel.data canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const key = (r, g, b) => (r << 16) | (g << 8) | b;
    const full = new Map(colours.map(([r, g, b], c) => [key(r, g, b), c]));
    const shade = new Map();
    for (let i = table.length / 3 - 1; i >= 0; i--) shade.set(key(table[3 * i], table[3 * i + 1], table[3 * i + 2]), Math.floor(i / levels));
    const samples = colours.map(() => 0), surface = colours.map(() => 0);
    for (let i = 0; i < pixels.length; i += 4) {
      const k = key(pixels[i], pixels[i + 1], pixels[i + 2]);
      if (full.has(k)) samples[full.get(k)]++;
      else if (shade.has(k)) surface[shade.get(k)]++;
    }
    return { samples, surface }; }"""


def test_the_board_draws_four_classes_in_their_colours(page, app_server, ui, shoot):
    from bpdash.charts import classes

    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    ui.open(page, app_server.url + "?dataset=blobs&classes=4&output_activation=softmax"
                                   "&cost=categorical_cross_entropy&epochs=200")
    assert ui.caption(page).startswith("Network 2-8-8-4 tanh/tanh/softmax")
    page.get_by_role("button", name="Train 200 epochs", exact=True).click()
    ui.expect_epoch(page, 200, timeout_s=60)
    page.wait_for_function(on_board(ui, "board => board.dataset.epoch === '200'"), timeout=EXPECT_MS)
    page.wait_for_function(on_board(ui, LAID_OUT), timeout=EXPECT_MS)
    found = page.evaluate(on_board(ui, CLASS_PIXELS), [classes.colours(4), classes.table(4).ravel().tolist(), classes.levels(4)])
    shoot(page, "overview_four_classes")
    assert all(n > 0 for n in found["samples"]), f"a class's samples are not drawn in its colour: {found}"
    assert all(n > 100 for n in found["surface"]), f"a class has no region of the surface: {found}"
    assert problems == [], problems
    ui.assert_clean(page)

"""The dashboard in a real browser: headless chromium against `streamlit run app.py`.

Scenarios (the page's first load and the Overview are in test_overview.py): a 2-4-1 network is
built and stepped (the epoch counter and the Overview's charts change); the symmetry lab shows its diagnosis; a share
link opened in a new page shows the same config; a custom plugin from BPDASH_PLUGINS_DIR is
selectable and trains; the upload doors (size limit, a .py file, code in a CSV) hold; a classroom
link trains regularized Adam with only Step and the cost curve visible.
Each saves a screenshot to test-output/screenshots/<scenario>.png.
"""
import re
from urllib.parse import urlsplit

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures skip (or, under BPDASH_REQUIRE_BROWSER, fail) saying why
    expect = None

EXPECT_S = 30_000
SHARE_QUERY = "hidden=3&activations=relu&learning_rate=0.1"
SHARE_CONTROL = re.compile(r"share link", re.IGNORECASE)


def test_build_2_4_1_then_step(page, app_server, ui, shoot):
    ui.open(page, app_server.url)
    ui.sidebar(page).get_by_role("button", name="− Remove").click()
    expect(page.get_by_text(re.compile(r"^Network 2-8-1 "))).to_be_visible(timeout=EXPECT_S)
    ui.set_number(page, "Layer 2 neurons", 4)
    expect(page.get_by_text(re.compile(r"^Network 2-4-1 tanh/sigmoid"))).to_be_visible(timeout=EXPECT_S)
    ui.idle(page)
    assert ui.epoch(page) == 0
    before = ui.panels(page)

    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, 1)
    ui.idle(page)
    stepped = ui.panels(page)
    assert stepped["cost"] != before["cost"] and stepped["data"] != before["data"], "Step changed no chart"
    assert ui.caption(page).startswith("Network 2-4-1")
    shoot(page, "build_2_4_1_stepped")
    ui.assert_clean(page)


def test_symmetry_lab_shows_its_diagnosis(page, app_server, ui, shoot):
    ui.open(page, app_server.url)
    page.get_by_role("radio", name="Symmetry lab").click()
    expect(page.get_by_role("heading", name="Diagnosis")).to_be_visible(timeout=EXPECT_S)
    page.get_by_role("button", name="Train 50 epochs", exact=True).click()
    expect(page.get_by_text("Epoch 50.", exact=True)).to_be_visible(timeout=EXPECT_S)
    ui.idle(page)
    main = page.locator("[data-testid='stMain']")
    # zeros with tanh: no gradient reaches the hidden layers; the random start breaks symmetry
    expect(main.get_by_text(re.compile(r"zeros, layer 2: dead: no gradient reaches layer 2"))).to_be_visible()
    expect(main.get_by_text(re.compile(r"uniform, layer 2: 8 distinct units"))).to_be_visible()
    assert page.locator("[data-testid='stAlertContentError']").count() >= 1  # the failure, in red
    assert page.locator("[data-testid='stAlertContentSuccess']").count() >= 1  # the fix, in green
    shoot(page, "symmetry_lab")
    ui.assert_clean(page)


def share_link_on(page, base: str) -> str | None:
    """The share link the page offers, rebased on ``base`` (the page may know its address by
    another name): from the share control's popover (a code block), any link or text on the
    page, or, with the config kept in the address bar, the page's own address."""
    control = page.get_by_role("button", name=SHARE_CONTROL)
    if control.count():
        control.first.click()
        page.wait_for_timeout(300)
    found = page.evaluate("""() => [document.body.innerText,
        ...Array.from(document.querySelectorAll("[data-testid='stCode'], code, pre")).map(e => e.textContent),
        ...Array.from(document.querySelectorAll('input, textarea')).map(e => e.value),
        ...Array.from(document.querySelectorAll('a[href]')).map(a => a.href)].join('\\n')""")
    if control.count():
        page.keyboard.press("Escape")
    for match in re.findall(r"(?:https?://[^\s\"'<>?]*)?\?[^\s\"'<>]*hidden=[^\s\"'<>]*", found):
        return f"{base}?{urlsplit(match).query}"
    query = urlsplit(page.url).query
    return f"{base}?{query}" if query else None


def expect_sidebar_value(page, ui, role, label, value):
    """The sidebar control shows ``value``, waiting for it: the first run draws the main area
    before the sidebar, so the caption can be on screen while the controls still arrive."""
    expect(ui.sidebar(page).get_by_role(role, name=label, exact=True)).to_have_value(value, timeout=EXPECT_S)


def assert_shared_config(page, ui, seed):
    expect(page.get_by_text(re.compile(r"^Network 2-3-1 relu/sigmoid .*η = 0\.1 "))).to_be_visible(timeout=EXPECT_S)
    expect_sidebar_value(page, ui, "spinbutton", "Layer 2 neurons", "3")
    expect_sidebar_value(page, ui, "combobox", "Layer 2 activation", "relu")
    expect_sidebar_value(page, ui, "spinbutton", "Learning rate η", re.compile(r"^0\.10*$"))
    expect_sidebar_value(page, ui, "spinbutton", "Seed", str(seed))
    assert ui.sidebar(page).get_by_role("spinbutton", name="Layer 3 neurons", exact=True).count() == 0


def test_a_share_link_opened_in_a_new_page_shows_the_same_config(browser, page, app_server, ui, shoot):
    ui.open(page, f"{app_server.url}?{SHARE_QUERY}")
    assert_shared_config(page, ui, seed=0)
    ui.set_number(page, "Seed", 7)  # a change made after opening must travel in the link too
    expect(page.get_by_text(re.compile(r"new weights from seed 7"))).to_be_visible(timeout=EXPECT_S)
    ui.idle(page)
    base = app_server.url.rstrip("/") + "/"
    link = share_link_on(page, base)
    assert link and "seed=7" in link, f"the page's share link is {link!r}"
    shoot(page, "share_link_source")

    other = browser.new_context(viewport=page.viewport_size)  # a new user: no shared cookies or state
    try:
        opened = other.new_page()
        ui.open(opened, link)
        assert_shared_config(opened, ui, seed=7)
        assert ui.caption(opened) == ui.caption(page)
        assert ui.epoch(opened) == 0 and ui.metric(opened, "Train cost J") == ui.metric(page, "Train cost J")
        shoot(opened, "share_link_opened")
        ui.assert_clean(opened)
    finally:
        other.close()


def test_a_custom_plugin_from_the_plugins_folder_is_selectable(page, app_server, ui, shoot):
    ui.open(page, app_server.url)
    sidebar = ui.sidebar(page)
    assert "softplus" in ui.options(sidebar, page, "Layer 2 activation")
    ui.choose(sidebar, page, "Layer 2 activation", "softplus")
    expect(page.get_by_text(re.compile(r"^Network 2-8-8-1 softplus/tanh/sigmoid"))).to_be_visible(timeout=EXPECT_S)
    ui.idle(page)
    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, 1)
    page.get_by_role("radio", name="Plugins").click()
    ui.idle(page)
    expect(page.locator("[data-testid='stMain']").get_by_text("softplus").first).to_be_visible(timeout=EXPECT_S)
    shoot(page, "custom_plugin")
    ui.assert_clean(page)


def test_the_upload_doors_hold(page, app_server, ui, shoot, tmp_path):
    """Over the size limit, a .py file, code in a CSV: each refused with a message, nothing run."""
    ui.open(page, app_server.url)
    sidebar = ui.sidebar(page)
    sidebar.get_by_text("CSV file", exact=True).click()
    uploader = sidebar.locator("[data-testid='stFileUploader']").filter(
        has=page.get_by_text("CSV file", exact=True)).first
    expect(uploader).to_be_visible(timeout=EXPECT_S)
    files = uploader.locator("input[type='file']")
    marker = tmp_path / "executed"

    files.set_input_files({"name": "big.csv", "mimeType": "text/csv", "buffer": b"a,b\n" + b"1,0\n" * 1_600_000})
    expect(uploader.get_by_text(re.compile(r"File must be [\d.]+ ?MB or smaller"))).to_be_visible(timeout=EXPECT_S)

    plugin = f"from pathlib import Path\nPath({str(marker)!r}).touch()\n".encode()
    files.set_input_files({"name": "evil.py", "mimeType": "text/x-python", "buffer": plugin})
    expect(uploader.get_by_text(re.compile(r"files are not allowed"))).to_be_visible(timeout=EXPECT_S)

    code = f"x,y\n__import__('pathlib').Path({str(marker)!r}).touch(),1\n2,0\n3,1\n".encode()
    files.set_input_files({"name": "code.csv", "mimeType": "text/csv", "buffer": code})
    expect(sidebar.get_by_text(re.compile(r"code\.csv: column 'x' has the non-numeric value"))).to_be_visible(
        timeout=EXPECT_S)
    ui.idle(page)
    assert "data moons" in ui.caption(page)  # the previous data stays
    assert not marker.exists()
    uploader.scroll_into_view_if_needed()
    shoot(page, "upload_doors")
    ui.assert_clean(page)


CLASSROOM_QUERY = ("optimizer=adam&regularization=l2&reg_rate=0.01&learning_rate=0.05&view=Cost"
                   "&hide=network,features,training,data,train_n,play,reset,views,saveload")


def test_a_classroom_link_trains_regularized_adam_with_only_step_and_the_cost_curve(page, app_server, ui, shoot):
    from bpdash.config import ExperimentConfig
    from bpdash.experiment import build

    ui.open(page, f"{app_server.url.rstrip('/')}/?{CLASSROOM_QUERY}")
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible(timeout=EXPECT_S)
    for hidden in ("▶ Play", "↺ Reset"):
        assert page.get_by_role("button", name=hidden).count() == 0, f"{hidden} should be hidden"
    assert page.get_by_label("Layer 2 neurons").count() == 0  # the network builder is hidden
    assert page.get_by_text("Learning rate η").count() == 0   # and so are the training settings
    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, 1)
    page.get_by_role("button", name="Step", exact=True).click()
    ui.expect_epoch(page, 2)
    ui.idle(page)

    def cost_after_two_epochs(config):
        exp = build(config)
        exp.trainer.fit(2)
        return f"{exp.trainer.evaluate()['cost']:.4g}"

    link = ExperimentConfig(optimizer="adam", regularization="l2", reg_rate=0.01, learning_rate=0.05)
    # the hidden controls kept the link's values (waited for: the epoch's frame may still be replacing the metrics)
    expect(ui.metric_value(page, "Train cost J")).to_have_text(cost_after_two_epochs(link), timeout=EXPECT_S)
    assert cost_after_two_epochs(link.replace(optimizer="gd", regularization="none")) != cost_after_two_epochs(link)
    assert len(ui.charts(page)) >= 1  # the cost curve
    shoot(page, "classroom_adam_l2")
    ui.assert_clean(page)

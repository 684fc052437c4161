// The board: the metrics and three panels (network, data, cost), drawn from one frame of data
// (bpdash.charts.board). Streamlit calls this function again with every new frame: the board
// keeps its elements and redraws the canvases in place, so nothing is mounted twice.

const NARROW = 720;  // px: below this the panels stack, the data first

function dataTitle(view, task) {
  if (view.kind === "plane")
    return (task === "classification" ? "Data and decision surface" : `Data and the network's ${view.output}`)
      + (view.shown[0] < view.shown[1] ? ` (${view.shown[0].toLocaleString("en")} of ${view.shown[1].toLocaleString("en")} rows drawn)` : "");
  return view.kind === "curve" ? "Data and the fitted curve" : "Predicted against actual";
}

function createBoard(root) {
  const board = document.createElement("div");
  board.className = "board";
  board.innerHTML = `
    <div class="metrics" role="group" aria-label="Training metrics"></div>
    <div class="panels">
      <figure class="panel network"><h4>Network: edges coloured and sized by θ</h4><canvas role="img"></canvas></figure>
      <figure class="panel data"><h4></h4><canvas role="img"></canvas></figure>
      <figure class="panel cost"><h4>Cost J(θ) by epoch</h4><canvas role="img"></canvas></figure>
    </div>`;
  root.appendChild(board);
  const canvas = name => board.querySelector(`.panel.${name} canvas`);
  const state = { board, frame: null, network: {}, data: {},
                  canvases: { network: canvas("network"), data: canvas("data"), cost: canvas("cost") } };
  new ResizeObserver(() => {
    board.classList.toggle("narrow", board.clientWidth < NARROW);
    if (state.frame) draw(state, state.frame, false);
  }).observe(board);
  board.classList.toggle("narrow", board.clientWidth < NARROW);
  return state;
}

function showMetrics(box, metrics) {
  if (box.children.length !== metrics.length) {
    box.innerHTML = "";
    for (const [label] of metrics) {
      const cell = document.createElement("div");
      cell.className = "metric";
      cell.dataset.metric = label;
      cell.innerHTML = '<div class="label"></div><div class="value"></div>';
      cell.firstChild.textContent = label;
      box.appendChild(cell);
    }
  }
  metrics.forEach(([label, value], i) => {
    const cell = box.children[i];
    cell.dataset.metric = label;
    cell.firstChild.textContent = label;
    cell.lastChild.textContent = value;
  });
}

// Draw every panel; `fresh` marks a new frame (counted on each canvas for those who watch it).
function draw(state, frame, fresh) {
  const { board, canvases } = state, start = performance.now();
  board.style.setProperty("--panel-height", `${frame.height}px`);
  showMetrics(board.querySelector(".metrics"), frame.metrics);
  const title = board.querySelector(".panel.data h4");
  title.textContent = title.title = dataTitle(frame.data, frame.task);  // the whole of it on hover
  drawNetwork(canvases.network, frame.network, frame.palette, state.network);
  drawData(canvases.data, frame.data, frame.palette, state.data);
  drawCost(canvases.cost, frame.cost, frame.epoch);
  board.dataset.epoch = frame.epoch;
  board.dataset.drawMs = (performance.now() - start).toFixed(1);  // for the bench: the board's own share
  if (fresh) for (const c of Object.values(canvases)) c.dataset.frames = (+c.dataset.frames || 0) + 1;
}

// A frame may bring `earlier` ones: the states training went through since the last frame, with
// many sessions playing (bpdash.ui.frames). They are played at their recorded spacing (each
// `after_ms` after the one before), the received frame last; a new frame cancels what is left,
// so Pause, Step or a rerun show the current state at once. An earlier frame leaves out what
// the received one holds for all (the palette, the samples, the cost curves up to its epoch):
// it is taken from there.
function play(state, received) {
  clearTimeout(state.timer);
  const earlier = (received.earlier || []).map(f => ({ ...received, ...f, data: { ...received.data, ...f.data },
                                                       cost: costUntil(received.cost, f.cost) }));
  const frames = [...earlier, received];
  const show = i => {
    state.frame = frames[i];
    draw(state, frames[i], true);
    if (i + 1 < frames.length) state.timer = setTimeout(() => show(i + 1), frames[i + 1].after_ms || 0);
  };
  show(0);
}

export default function (component) {
  const { data, parentElement } = component;
  const state = parentElement.__board || (parentElement.__board = createBoard(parentElement));
  if (data && data !== state.received) {
    state.received = data;
    state.board.dataset.received = (+state.board.dataset.received || 0) + 1;  // for those who watch it
    play(state, data);
  }
}

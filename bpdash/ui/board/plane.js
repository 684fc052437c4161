// The data panel: the network's output over the input plane with the samples on it (2-D
// inputs), the fitted curve (1-D), or predicted against actual (more inputs).

// Line segments where a grid (rows from the top) crosses `level`, in grid coordinates (marching squares).
function contour(values, size, level) {
  const segments = [];
  const at = (i, j) => values[i * size + j];
  const cross = (a, b) => (level - a) / (b - a);
  for (let i = 0; i < size - 1; i++) {
    for (let j = 0; j < size - 1; j++) {
      const tl = at(i, j), tr = at(i, j + 1), br = at(i + 1, j + 1), bl = at(i + 1, j);
      const points = [];
      if ((tl < level) !== (tr < level)) points.push([j + cross(tl, tr), i]);
      if ((tr < level) !== (br < level)) points.push([j + 1, i + cross(tr, br)]);
      if ((bl < level) !== (br < level)) points.push([j + cross(bl, br), i + 1]);
      if ((tl < level) !== (bl < level)) points.push([j, i + cross(tl, bl)]);
      if (points.length === 2) segments.push(points);
      else if (points.length === 4) segments.push([points[0], points[1]], [points[2], points[3]]);
    }
  }
  return segments;
}

function plotBox(width, height, square, top = 8) {
  const left = 52, right = 12, bottom = 40;
  let w = width - left - right, h = height - top - bottom;
  if (square) { const s = Math.min(w, h); w = h = s; }
  return { x: left, y: top, w, h };
}

// k classes (bpdash.charts.classes): the table of every class's shades as RGB bytes, and a
// class's full colour for its samples and its legend entry.
function classTable(classes) { return new Uint8ClampedArray(classes.table); }

function classColour(classes, c) {
  const [r, g, b] = classes.colours[c];
  return `rgb(${r},${g},${b})`;
}

// Where each class's legend entry (a dot and its name) goes, in rows across the panel's top.
const LEGEND_ROW = 17;
function legendLayout(ctx, names, left, right) {
  const items = [];
  let x = left, row = 0;
  for (const name of names) {
    const text = name.length > 14 ? name.slice(0, 13) + "…" : name;
    const w = 14 + ctx.measureText(text).width + 12;
    if (x > left && x + w > right) { x = left; row++; }
    items.push({ x, row, text });
    x += w;
  }
  return { items, rows: row + 1 };
}

function drawLegend(ctx, layout, classes) {
  ctx.save();
  ctx.textBaseline = "middle"; ctx.textAlign = "left"; ctx.fillStyle = INK;
  layout.items.forEach(({ x, row, text }, c) => {
    const y = 8 + row * LEGEND_ROW + LEGEND_ROW / 2;
    dot(ctx, x + 4, y, classColour(classes, c), false);
    ctx.fillStyle = INK;
    ctx.fillText(text, x + 12, y);
  });
  ctx.restore();
}

function drawPlane(canvas, view, palette, state) {
  const { ctx, width, height } = fitCanvas(canvas);
  const classes = view.classes;  // one output per class: the predicted class, shaded by confidence
  const legend = classes ? legendLayout(ctx, classes.names, 52, width - 12) : null;
  const box = plotBox(width, height, true, legend ? 8 + legend.rows * LEGEND_ROW + 4 : 8);
  const table = classes ? classTable(classes) : colourTable(palette), [low, high] = view.range, size = view.resolution;
  const values = valuesOf(view.grid, !classes);
  state.surface = gridImage(values, size, table, state.surface);
  const cell = box.w / (size - 1);  // grid values sit at the cells' corners: pixel centres on them
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
  ctx.globalAlpha = classes ? 1 : 0.65;  // pale enough for the samples to stand out (class shades are)
  ctx.imageSmoothingEnabled = !classes;  // a class's colour must not blend into its neighbour's
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(state.surface, box.x - cell / 2, box.y - cell / 2, box.w + cell, box.h + cell);
  ctx.restore();
  const { sx, sy } = axes(ctx, box, view.bounds[0], view.bounds[1], view.names[0], view.names[1]);
  if (view.boundary !== null) {
    const level = ((view.boundary - low) / (high - low)) * 65535;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.w, box.h);
    ctx.clip();
    ctx.strokeStyle = INK; ctx.lineWidth = 1.6;
    ctx.beginPath();
    for (const [[j0, i0], [j1, i1]] of contour(values, size, level)) {
      ctx.moveTo(box.x + j0 * cell, box.y + i0 * cell);
      ctx.lineTo(box.x + j1 * cell, box.y + i1 * cell);
    }
    ctx.stroke();
    ctx.restore();
  }
  const colour = classes ? y => classColour(classes, y) : y => pointColour(table, y, low, high);
  for (const [rows, test] of [[view.train, false], [view.test, true]])
    for (const [x1, x2, y] of rows) dot(ctx, sx(x1), sy(x2), colour(y), test);
  if (legend) drawLegend(ctx, legend, classes);
}

function drawCurve(canvas, view) {
  const { ctx, width, height } = fitCanvas(canvas);
  const box = plotBox(width, height, false);
  const xs = view.x.concat(view.train.map(r => r[0]), view.test.map(r => r[0]));
  const ys = view.y.concat(view.train.map(r => r[1]), view.test.map(r => r[1]));
  const { sx, sy } = axes(ctx, box, extent(xs), extent(ys, 0.05), view.names[0], view.names[1], { grid: true });
  for (const [rows, test] of [[view.train, false], [view.test, true]])
    for (const [x, y] of rows) dot(ctx, sx(x), sy(y), test ? TEST : TRAIN, test);
  ctx.strokeStyle = INK; ctx.lineWidth = 2.5;
  ctx.beginPath();
  view.x.forEach((x, i) => (i ? ctx.lineTo(sx(x), sy(view.y[i])) : ctx.moveTo(sx(x), sy(view.y[i]))));
  ctx.stroke();
}

function drawScatter(canvas, view) {
  const { ctx, width, height } = fitCanvas(canvas);
  const box = plotBox(width, height, true);
  const all = view.train.concat(view.test).flat();
  const domain = extent(all, 0.05);
  const { sx, sy } = axes(ctx, box, domain, domain, view.names[0], view.names[1], { grid: true });
  ctx.strokeStyle = MUTED; ctx.setLineDash([4, 4]);
  ctx.beginPath(); ctx.moveTo(sx(domain[0]), sy(domain[0])); ctx.lineTo(sx(domain[1]), sy(domain[1])); ctx.stroke();
  ctx.setLineDash([]);
  for (const [rows, test] of [[view.train, false], [view.test, true]])
    for (const [a, p] of rows) dot(ctx, sx(a), sy(p), test ? TEST : TRAIN, test);
}

function drawData(canvas, view, palette, state) {
  if (view.kind === "plane") drawPlane(canvas, view, palette, state);
  else if (view.kind === "curve") drawCurve(canvas, view);
  else drawScatter(canvas, view);
}

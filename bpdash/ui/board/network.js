// The network panel: a column of neurons per layer, each drawn as its activation map over the
// input plane (2-D data) or as a dot; every θ_jk^(l) an edge, blue for θ > 0 and red for θ < 0,
// wider and darker as |θ| grows; the edges of a layer without Θ grey (dashed for dropout's
// one-to-one). Edges are rows [l, j, k, θ, kind] of bpdash.charts.network.edge_table.

const POSITIVE = [33, 102, 172], NEGATIVE = [178, 24, 43];  // the ends of the palette
const THETA = 0, IDENTITY = 1;  // edge kinds (the rest: a layer mixing its inputs)
const NEUTRAL = "rgba(120,120,120,0.55)";

function layout(sizes, width, height, shown) {
  const top = 22, bottom = 30, left = 36, right = 10;
  const columns = sizes.length, gap = (width - left - right) / columns;
  const most = Math.max(...sizes.map(n => Math.min(n, shown)));
  const tile = Math.max(6, Math.min(40, gap * 0.45, ((height - top - bottom) / most) * 0.8));
  return sizes.map((n, l) => {
    const count = Math.min(n, shown), step = Math.min(tile * 1.25, (height - top - bottom) / count);
    const x = left + gap * (l + 0.5), y0 = top + (height - top - bottom - step * (count - 1)) / 2;
    return { x, tile: Math.min(tile, step * 0.85), ys: Array.from({ length: count }, (_, j) => y0 + j * step) };
  });
}

function drawNetwork(canvas, net, palette, state) {
  const { ctx, width, height } = fitCanvas(canvas);
  const tiled = net.tiles !== null, shown = tiled ? 16 : 24;
  const columns = layout(net.sizes, width, height, shown);
  canvas.setAttribute("aria-label", `Network ${net.sizes.join("-")}: ` +
    net.labels.map((label, l) => `layer ${l + 2} ${label}`).join(", "));
  let top = 0;
  for (const e of net.edges) if (e[4] === THETA) top = Math.max(top, Math.abs(e[3]));
  top = top || 1;
  // edges first, beneath the neurons: the grey ones, then θ's from the weakest, so strong ones
  // are drawn on top
  const edges = net.edges.filter(([l, j, k]) => j <= columns[l].ys.length && k <= columns[l - 1].ys.length)
    .sort((a, b) => (a[4] === THETA) - (b[4] === THETA) || Math.abs(a[3]) - Math.abs(b[3]));
  for (const [l, j, k, theta, kind] of edges) {
    const from = columns[l - 1], to = columns[l], strength = Math.abs(theta) / top;
    if (kind === THETA) {
      const [r, g, b] = theta >= 0 ? POSITIVE : NEGATIVE;
      ctx.strokeStyle = `rgba(${r},${g},${b},${0.15 + 0.85 * strength})`;
      ctx.lineWidth = 0.4 + 3.6 * strength;
    } else {
      ctx.strokeStyle = NEUTRAL;
      ctx.lineWidth = 1;
    }
    ctx.setLineDash(kind === IDENTITY ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(from.x + from.tile / 2, from.ys[k - 1]);
    ctx.lineTo(to.x - to.tile / 2, to.ys[j - 1]);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  const table = colourTable(palette);
  state.tiles = state.tiles || [];
  columns.forEach((column, l) => {
    const maps = tiled ? net.tiles[l].maps : [];
    column.ys.forEach((y, j) => {
      const half = column.tile / 2;
      if (j < maps.length) {
        const key = l * 1000 + j;
        state.tiles[key] = gridImage(valuesOf(maps[j]), net.tile_resolution, table, state.tiles[key]);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(state.tiles[key], column.x - half, y - half, column.tile, column.tile);
        ctx.strokeStyle = "#555a66"; ctx.lineWidth = 1;
        ctx.strokeRect(column.x - half + 0.5, y - half + 0.5, column.tile - 1, column.tile - 1);
      } else {
        ctx.beginPath(); ctx.arc(column.x, y, Math.min(half, 6), 0, 2 * Math.PI);
        ctx.fillStyle = "#ffffff"; ctx.fill();
        ctx.strokeStyle = "#555a66"; ctx.lineWidth = 1; ctx.stroke();
      }
      if (l === 0 && net.inputs[j]) {  // the input features' names, left of their maps
        ctx.fillStyle = INK; ctx.textAlign = "right"; ctx.textBaseline = "middle";
        ctx.fillText(net.inputs[j], column.x - half - 4, y);
      }
    });
    // under each column its activation (or the type of the layer making it) and its size (and how many are drawn, for a wide
    // layer), in as many words as the space between the columns holds
    const n = net.sizes[l], shown = column.ys.length;
    const room = (columns.length > 1 ? columns[1].x - columns[0].x : width) * 0.95;
    const long = `${n} neuron${n > 1 ? "s" : ""}${shown < n ? ` (${shown} shown)` : ""}`;
    ctx.fillStyle = MUTED; ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.fillText(l === 0 ? "input" : net.labels[l - 1], column.x, height - 26);
    ctx.fillText(ctx.measureText(long).width <= room ? long : shown < n ? `${shown} of ${n}` : `${n}`,
                 column.x, height - 13);
    ctx.textBaseline = "bottom"; ctx.fillStyle = INK;
    ctx.fillText(`layer ${l + 1}`, column.x, 16);
  });
}

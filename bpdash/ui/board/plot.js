// Drawing helpers shared by the board's panels: canvas sizing, colours, axes, images from bytes.

const INK = "#31333f", MUTED = "#6b6f7b", GRID = "#e6e7eb";
const TRAIN = "#1f77b4", TEST = "#ff7f0e";  // the charts' train and test colours
const FONT = "12px 'Source Sans Pro', 'Source Sans 3', sans-serif";

// A canvas backed at the device's pixel ratio, sized to its box; returns its 2-D context in CSS pixels.
function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  return { ctx, width, height };
}

// 256 colours interpolated along the palette's stops ([[r, g, b], ...], low to high).
const lutCache = new Map();
function colourTable(palette) {
  const key = JSON.stringify(palette);
  if (lutCache.has(key)) return lutCache.get(key);
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (palette.length - 1), a = Math.floor(t), b = Math.min(a + 1, palette.length - 1);
    for (let c = 0; c < 3; c++) table[i * 3 + c] = palette[a][c] + (palette[b][c] - palette[a][c]) * (t - a);
  }
  lutCache.set(key, table);
  return table;
}

function colourOf(table, value, low, high) {
  const i = Math.max(0, Math.min(255, Math.round(((value - low) / (high - low || 1)) * 255)));
  return `rgb(${table[i * 3]},${table[i * 3 + 1]},${table[i * 3 + 2]})`;
}

// The values of a quantized grid: bytes, or (wide) little-endian 16-bit values.
function valuesOf(base64, wide = false) {
  const text = atob(base64), bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return wide ? new Uint16Array(bytes.buffer) : bytes;
}

// A small canvas holding a size × size grid of quantized values (rows from the top) in colour.
function gridImage(values, size, table, into = null) {
  const image = into || document.createElement("canvas");
  image.width = image.height = size;
  const g = image.getContext("2d"), pixels = g.createImageData(size, size), data = pixels.data;
  const shift = values instanceof Uint16Array ? 8 : 0;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] >> shift) * 3;
    data[i * 4] = table[v]; data[i * 4 + 1] = table[v + 1]; data[i * 4 + 2] = table[v + 2]; data[i * 4 + 3] = 255;
  }
  g.putImageData(pixels, 0, 0);
  return image;
}

// Round tick values covering [low, high], about `count` of them.
function ticks(low, high, count = 5) {
  if (!(high > low)) return [low];
  const raw = (high - low) / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * power).find(s => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function tickText(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(0);
  return +v.toPrecision(4) + "";
}

// A linear map from [d0, d1] to [r0, r1].
function scale(d0, d1, r0, r1) {
  const k = (r1 - r0) / (d1 - d0 || 1);
  return v => r0 + (v - d0) * k;
}

// Axes with ticks and titles around the plot box {x, y, w, h}; returns the x and y maps.
function axes(ctx, box, xDomain, yDomain, xTitle, yTitle, options = {}) {
  const sx = scale(xDomain[0], xDomain[1], box.x, box.x + box.w);
  const sy = scale(yDomain[0], yDomain[1], box.y + box.h, box.y);
  ctx.save();
  ctx.strokeStyle = GRID; ctx.fillStyle = MUTED; ctx.lineWidth = 1;
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const v of (options.xTicks || ticks(xDomain[0], xDomain[1], 4))) {
    const x = sx(v);
    if (options.grid) { ctx.beginPath(); ctx.moveTo(x, box.y); ctx.lineTo(x, box.y + box.h); ctx.stroke(); }
    ctx.fillText(tickText(v), x, box.y + box.h + 4);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of (options.yTicks || ticks(yDomain[0], yDomain[1], 4))) {
    const y = sy(v);
    if (options.grid) { ctx.beginPath(); ctx.moveTo(box.x, y); ctx.lineTo(box.x + box.w, y); ctx.stroke(); }
    ctx.fillText(options.yFormat ? options.yFormat(v) : tickText(v), box.x - 5, y);
  }
  ctx.strokeStyle = "#b8bbc4";
  ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w, box.h);
  ctx.fillStyle = INK; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
  ctx.fillText(xTitle, box.x + box.w / 2, box.y + box.h + 34);
  ctx.translate(box.x - (options.yTitleOffset || 40), box.y + box.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "bottom";
  ctx.fillText(yTitle, 0, 0);
  ctx.restore();
  return { sx, sy };
}

function extent(values, pad = 0) {
  let low = Infinity, high = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { low = Math.min(low, v); high = Math.max(high, v); }
  if (!Number.isFinite(low)) return [0, 1];
  if (high === low) { low -= 0.5; high += 0.5; }
  const span = high - low;
  return [low - pad * span, high + pad * span];
}

// A sample as a dot in its target's colour, strong (the palette's ends are dark, its middle
// pale: a class colour is taken a tenth in from the end): ringed in white for a training row,
// in ink for a test row, so both stand out on any part of the surface.
function pointColour(table, value, low, high) {
  const t = Math.max(0, Math.min(1, (value - low) / (high - low || 1)));
  return colourOf(table, 0.1 + 0.8 * t, 0, 1);
}

function dot(ctx, x, y, colour, test) {
  ctx.beginPath();
  ctx.arc(x, y, 3.6, 0, 2 * Math.PI);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.lineWidth = test ? 1.6 : 1.3;
  ctx.strokeStyle = test ? "#111111" : "#ffffff";
  ctx.stroke();
}

// The cost panel: J on the training and test rows by epochs trained, with the epoch of the
// least test cost marked once the test cost has risen for a while past it (overfitting).

function drawCost(canvas, cost, epoch) {
  const { ctx, width, height } = fitCanvas(canvas);
  const box = { x: 58, y: 26, w: width - 58 - 14, h: height - 26 - 42 };
  const [trainX, trainY] = cost.train, [testX, testY] = cost.test;
  const xs = trainX.concat(testX), ys = trainY.concat(testY);
  const xDomain = [0, Math.max(1, epoch, ...xs)];
  let [low, high] = extent(ys, 0.08);
  low = Math.max(0, low);  // a cost is never below 0
  const xTicks = ticks(xDomain[0], xDomain[1], 4).filter(Number.isInteger);  // whole epochs only
  const { sx, sy } = axes(ctx, box, xDomain, [low, high], "epochs trained", "cost J",
                          { grid: true, yTitleOffset: 46, xTicks });
  ctx.save();
  ctx.beginPath(); ctx.rect(box.x, box.y, box.w, box.h); ctx.clip();
  for (const [x, y, colour] of [[trainX, trainY, TRAIN], [testX, testY, TEST]]) {
    ctx.strokeStyle = colour; ctx.lineWidth = 2;
    ctx.beginPath();
    x.forEach((v, i) => (i ? ctx.lineTo(sx(v), sy(y[i])) : ctx.moveTo(sx(v), sy(y[i]))));
    ctx.stroke();
    if (x.length) {  // the current value, as a dot at the end of its curve
      ctx.fillStyle = colour;
      ctx.beginPath(); ctx.arc(sx(x[x.length - 1]), sy(y[y.length - 1]), 3, 0, 2 * Math.PI); ctx.fill();
    }
  }
  if (cost.best) {  // the least test cost: a dashed line, a ring, and its epoch beside them
    const x = sx(cost.best.epoch), y = sy(cost.best.cost);
    ctx.strokeStyle = INK; ctx.setLineDash([4, 3]); ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(x, box.y); ctx.lineTo(x, box.y + box.h); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "#ffffff"; ctx.strokeStyle = TEST; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(x, y, 5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  }
  ctx.restore();
  // the legend, above the plot, clear of the axes' titles
  ctx.textBaseline = "middle"; ctx.textAlign = "left";
  let x = box.x;
  const entries = [["train", TRAIN, []], ["test", TEST, []]];
  if (cost.best) entries.push([`best: epoch ${cost.best.epoch.toLocaleString("en")}`, INK, [4, 3]]);
  for (const [label, colour, dash] of entries) {
    ctx.strokeStyle = colour; ctx.lineWidth = dash.length ? 1 : 2; ctx.setLineDash(dash);
    ctx.beginPath(); ctx.moveTo(x, 12); ctx.lineTo(x + 16, 12); ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = INK; ctx.fillText(label, x + 20, 12);
    x += 28 + ctx.measureText(label).width;
  }
}

// An earlier frame's curves (bpdash.ui.frames): the received frame's `cost` up to the earlier
// frame's epoch, ending in its own J on the training and test rows (`until`).
function costUntil(cost, { until: [epoch, train, test], best }) {
  const cut = ([x, y], now) => {
    const end = x.findIndex(v => v >= epoch), n = end < 0 ? x.length : end;
    const xs = x.slice(0, n), ys = y.slice(0, n);
    if (now !== null) { xs.push(epoch); ys.push(now); }
    return [xs, ys];
  };
  return { train: cut(cost.train, train), test: cut(cost.test, test), best };
}

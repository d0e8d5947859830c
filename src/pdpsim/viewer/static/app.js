// pdpsim view: the page. Plain JavaScript, no libraries, no build step.
// It reads the JSON API of pdpsim/viewer/server.py and draws with DOM elements and SVG.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ API
const token = new URLSearchParams(location.search).get("token");

async function request(method, path, params, body) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined) url.searchParams.set(k, v);
  const headers = {};
  if (token) headers["X-Pdpsim-Token"] = token;
  const init = { method, headers, credentials: "same-origin" };
  if (method === "POST") { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body || {}); }
  const r = await fetch(url, init);
  let data;
  try { data = await r.json(); } catch (e) { data = { error: `${r.status} ${r.statusText}` }; }
  if (!r.ok) throw new Error(data.error || `${r.status} ${r.statusText}`);
  return data;
}
const get = (path, params) => request("GET", path, params);
const post = (path, body) => request("POST", path, null, body);

// ------------------------------------------------------------------ state
const S = {
  model: null,
  value: "output",
  example: null,          // example name
  tick: null,             // null: the example's last tick
  block: null,
  blockView: "weights",
  repGroup: null,
  repMethod: "mds",
  version: -1,
  epoch: 0,
  errors: [],             // [[epoch, error], ...]
  running: false,
  state: null,
  unit: null,             // {group, index}: the unit whose links are shown
  graphs: [],             // [{id, label, history: [[epoch, value], ...]}]
};

function setStatus(text, isError) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", !!isError);
}
let errorUntil = 0;           // an error stays in the status line for a few seconds
function fail(e) { errorUntil = Date.now() + 6000; setStatus(String(e.message || e), true); }
function showStatus() { if (Date.now() > errorUntil) setStatus(statusText()); }

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function fmt(v, digits = 4) {
  if (v === null || v === undefined) return "–";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return (a >= 1e4 || a < 1e-3) ? v.toExponential(digits - 1) : v.toPrecision(digits);
}
function exact(v) { return v === null || v === undefined ? "—" : String(v); }

// ------------------------------------------------------------------ colours
function mix(a, b, t) { return Math.round(a + (b - a) * t); }
const POS = [192, 57, 43], NEG = [44, 111, 183];
function colour(v, scale) {
  if (v === null || v === undefined) return null;
  const t = Math.max(0, Math.min(1, Math.abs(v) / (scale || 1)));
  const c = v >= 0 ? POS : NEG;
  return `rgb(${mix(255, c[0], t)},${mix(255, c[1], t)},${mix(255, c[2], t)})`;
}

// ------------------------------------------------------------------ tooltip
const tip = () => $("tooltip");
function showTip(html, ev) {
  const t = tip();
  t.innerHTML = html;
  t.hidden = false;
  moveTip(ev);
}
function moveTip(ev) {
  const t = tip();
  const x = Math.min(ev.clientX + 14, window.innerWidth - t.offsetWidth - 8);
  const y = Math.min(ev.clientY + 14, window.innerHeight - t.offsetHeight - 8);
  t.style.left = `${Math.max(4, x)}px`;
  t.style.top = `${Math.max(4, y)}px`;
}
function hideTip() { tip().hidden = true; }
function hoverable(el, html) {
  el.addEventListener("mouseenter", (ev) => showTip(html(), ev));
  el.addEventListener("mousemove", moveTip);
  el.addEventListener("mouseleave", hideTip);
}

// ------------------------------------------------------------------ model
async function loadModel() {
  const m = await get("/api/model");
  S.model = m;
  $("title").textContent = m.name;
  $("source").textContent = m.source;
  document.title = `pdpsim view: ${m.name}`;
  $("params").textContent = Object.entries(m.training).map(([k, v]) => `${k}: ${v}`).join("\n");
  $("run-epochs").max = m.max_run_epochs;

  const vs = $("value-select");
  vs.replaceChildren(...m.values.map((v) => new Option(m.value_labels[v], v)));
  vs.value = S.value;

  const ex = $("example-select");
  ex.replaceChildren(...m.examples.map((n, i) => new Option(n, n)));
  S.example = m.examples[0];
  const sets = $("set-select");                              // several example sets (a Lens script's)
  sets.replaceChildren(...(m.example_sets || []).map((n) => new Option(n, n)));
  sets.value = m.example_set;
  $("set-box").hidden = !m.example_sets || m.example_sets.length < 2;

  const bs = $("block-select");
  bs.replaceChildren(...m.blocks.map((b) => new Option(`${b.source} → ${b.dest}${b.frozen ? " (frozen)" : ""}`, b.name)));
  const firstReal = m.blocks.find((b) => b.source !== "bias") || m.blocks[0];
  S.block = firstReal ? firstReal.name : null;
  if (S.block) bs.value = S.block;

  const rg = $("rep-group");
  const repGroups = m.groups.filter((g) => g.kind !== "BIAS");
  rg.replaceChildren(...repGroups.map((g) => new Option(g.name, g.name)));
  const hidden = repGroups.find((g) => g.kind === "HIDDEN") || repGroups[0];
  S.repGroup = hidden ? hidden.name : null;
  if (S.repGroup) rg.value = S.repGroup;

  if (m.lens) showLens(m.lens);
  if (m.time) {
    $("tick-box").hidden = false;
    $("tick-word").textContent = m.time.step;
  }
  buildUnits();
  updateTickSlider();
}

// a Lens script's session: what its display commands asked for (view, viewUnits, viewLinks, graph)
function showLens(lens) {
  const names = { units: "the unit viewer", links: "the link viewer" };
  const asked = lens.views.map((v) => names[v] || v);
  const graphs = lens.graphs.length ? `; its graphs (${lens.graphs.join(", ")}) are under Graphs` : "";
  const box = $("lens-info");
  box.hidden = false;
  $("lens-text").textContent = `Lens script: ${asked.length ? "it asked for " + asked.join(" and ") : "no display command"}` +
    `${graphs}. Example set ${lens.example_set}; a step is one weight update of Lens's train loop.`;
  if (box.dataset.wired) return;
  box.dataset.wired = "1";
  const graphObject = () => {
    const path = $("lens-path").value.trim();
    if (path) addGraph({ value: "object", path });
  };
  $("lens-graph").addEventListener("click", graphObject);
  $("lens-path").addEventListener("keydown", (ev) => { if (ev.key === "Enter") graphObject(); });
  for (const v of lens.views) {
    const panel = $(v === "links" ? "link-panel" : "unit-panel");
    if (panel) panel.classList.add("asked");
  }
  if (lens.views[0] === "links") $("link-panel").scrollIntoView();
}

function exampleIndex() { return S.model.examples.indexOf(S.example); }

function updateTickSlider() {
  if (!S.model.time) return;
  const last = S.model.last_step[exampleIndex()];
  const sl = $("tick-slider");
  sl.max = last;
  if (S.tick === null || S.tick > last) S.tick = last;
  sl.value = S.tick;
  tickLabel();
}
function tickLabel() {
  const last = S.model.last_step[exampleIndex()];
  $("tick-label").textContent = S.model.time.mode === "srn"
    ? `${S.tick + 1} of ${last + 1}` : `${S.tick} of ${last}`;
}

// ------------------------------------------------------------------ units
// The server lays the network out (session.network_layout): every group, unit and label has a box
// of its own, and no two overlap; the page places them where it says.
function place(el, b) {
  el.style.left = `${b.x}px`;
  el.style.top = `${b.y}px`;
  el.style.width = `${b.w}px`;
  el.style.height = `${b.h}px`;
}

function buildUnits() {
  const box = $("units");
  box.replaceChildren();
  const L = S.model.layout;
  const canvas = document.createElement("div");
  canvas.className = "net-canvas";
  canvas.style.width = `${L.width}px`;
  canvas.style.height = `${L.height}px`;
  for (const g of S.model.groups) canvas.appendChild(groupBox(g, L.groups[g.name], L));
  box.appendChild(canvas);
}

function groupBox(g, lay, L) {
  const div = document.createElement("div");
  div.className = `group kind-${g.kind}`;
  div.dataset.group = g.name;
  place(div, lay.box);
  const at = (b) => ({ x: b.x - lay.box.x, y: b.y - lay.box.y, w: b.w, h: b.h });
  const title = document.createElement("div");
  title.className = "group-title";
  place(title, at(lay.label));
  title.style.fontSize = `${L.font_px.group}px`;
  title.title = lay.label.text;
  title.innerHTML = `<b>${esc(g.name)}</b><span class="kind">${esc(lay.label.text.slice(g.name.length))}</span>`;
  div.appendChild(title);
  for (let i = 0; i < g.size; i++) {
    const spot = lay.units[i];
    const u = document.createElement("div");
    u.className = "unit";
    u.dataset.group = g.name;
    u.dataset.index = i;
    u.dataset.name = g.unit_names[i];
    place(u, at(spot.box));
    hoverable(u, () => unitTip(g, i));
    u.addEventListener("click", () => selectUnit(g.name, i));
    div.appendChild(u);
    if (spot.label) {
      const lab = document.createElement("div");
      lab.className = "unit-label";
      place(lab, at(spot.label));
      lab.style.fontSize = `${L.font_px.unit}px`;
      lab.style.lineHeight = `${spot.label.h}px`;
      lab.textContent = spot.label.text;
      lab.title = g.unit_names[i];
      div.appendChild(lab);
    }
  }
  return div;
}

function unitTip(g, i) {
  const st = S.state;
  let rows = "";
  if (st) {
    const v = st.groups[g.name];
    for (const key of S.model.values) {
      const here = key === S.value ? " <b>◀</b>" : "";
      rows += `<tr><td>${esc(S.model.value_labels[key])}</td><td>${esc(exact(v[key][i]))}${here}</td></tr>`;
    }
  }
  const when = S.model.time && st ? ` · ${S.model.time.step} ${st.tick}` : "";
  return `<b>${esc(g.unit_names[i])}</b> <span>(${esc(g.name)} unit ${i})</span><br>` +
    `example ${esc(S.example)}${esc(when)}<table>${rows}</table><span>click: its links</span>`;
}

// ------------------------------------------------------------------ one unit: its links
function selectUnit(group, index) {
  S.unit = { group, index };
  for (const u of document.querySelectorAll("#units .unit.selected")) u.classList.remove("selected");
  const el = document.querySelector(`#units .unit[data-group="${CSS.escape(group)}"][data-index="${index}"]`);
  if (el) el.classList.add("selected");
  refreshUnitInfo().catch(fail);
}

async function refreshUnitInfo() {
  if (!S.unit) return;
  const u = await get("/api/unit", { group: S.unit.group, unit: S.unit.index });
  drawUnitInfo(u);
}

function linkRows(links, dir) {
  if (!links.length) return `<tr><td colspan="4" class="small">none</td></tr>`;
  let max = 0;
  for (const l of links) max = Math.max(max, Math.abs(l.weight));
  return links.map((l, k) => {
    return `<tr class="link" data-dir="${dir}" data-k="${k}">` +
      `<td><a href="#" class="goto" data-group="${esc(l.group)}" data-index="${l.index}">${esc(l.unit)}</a></td>` +
      `<td class="small">${esc(l.block)}${l.frozen ? " (frozen)" : ""}</td>` +
      `<td class="num" data-value="${l.weight}" data-scale="${max || 1}">${esc(fmt(l.weight, 4))}</td>` +
      `<td><button type="button" class="graph-weight" title="graph this weight over training">graph</button></td></tr>`;
  }).join("");
}

function drawUnitInfo(u) {
  const box = $("unit-info");
  const valueLabel = S.model.value_labels[S.value];
  const when = S.model.time ? `, ${S.model.time.step} ${S.tick}` : "";
  box.innerHTML =
    `<div class="controls"><b>${esc(u.name)}</b><span class="small">${esc(u.group)} unit ${u.index} · epoch ${u.epoch}</span>` +
    `<button type="button" class="graph-value" title="graph this value over training">graph ${esc(valueLabel)} ` +
    `(example ${esc(S.example)}${esc(when)})</button></div>` +
    `<div class="links"><table><caption>incoming: from → ${esc(u.name)}</caption>` +
    `<tr><th>from</th><th>block</th><th>weight</th><th></th></tr>${linkRows(u.incoming, "in")}</table>` +
    `<table><caption>outgoing: ${esc(u.name)} → to</caption>` +
    `<tr><th>to</th><th>block</th><th>weight</th><th></th></tr>${linkRows(u.outgoing, "out")}</table></div>`;
  for (const td of box.querySelectorAll("td.num")) {             // (styles set here: the page's CSP allows no inline ones)
    td.style.background = colour(Number(td.dataset.value), Number(td.dataset.scale));
  }
  box.querySelector(".graph-value").addEventListener("click", () => {
    const what = { value: S.value, group: u.group, unit: u.index, example: S.example };
    if (S.model.time) what.tick = S.tick;
    addGraph(what);
  });
  for (const a of box.querySelectorAll("a.goto")) {
    a.addEventListener("click", (ev) => { ev.preventDefault(); selectUnit(a.dataset.group, Number(a.dataset.index)); });
  }
  for (const b of box.querySelectorAll("button.graph-weight")) {
    const row = b.closest("tr");
    const l = (row.dataset.dir === "in" ? u.incoming : u.outgoing)[Number(row.dataset.k)];
    b.addEventListener("click", () => addGraph(row.dataset.dir === "in"
      ? { value: "weight", block: l.block, from: l.index, to: u.index }
      : { value: "weight", block: l.block, from: u.index, to: l.index }));
  }
}

// ------------------------------------------------------------------ graphs of any value
async function addGraph(what) {
  try {
    const h = await post("/api/watch", what);
    S.graphs.push({ id: h.id, label: h.label, history: h.history });
    drawGraphs();
  } catch (e) {
    fail(e);
  }
}

async function removeGraph(id) {
  try {
    await post("/api/unwatch", { id });
  } catch (e) {
    fail(e);
  }
  S.graphs = S.graphs.filter((g) => g.id !== id);
  drawGraphs();
}

async function refreshGraphs(whole) {
  const gone = [];
  for (const g of S.graphs) {
    const last = g.history.length ? g.history[g.history.length - 1][0] : -1;
    let h;
    try {
      h = await get("/api/history", whole ? { id: g.id } : { id: g.id, since: last });
    } catch (e) {
      gone.push(g.id);                                    // closed from another page
      continue;
    }
    if (whole) g.history = h.history;
    else for (const p of h.history) if (!g.history.length || p[0] > g.history[g.history.length - 1][0]) g.history.push(p);
  }
  if (gone.length) S.graphs = S.graphs.filter((g) => !gone.includes(g.id));
  drawGraphs();
}

function drawGraphs() {
  const box = $("graphs");
  box.replaceChildren();
  $("graphs-panel").hidden = !S.graphs.length;
  for (const g of S.graphs) {
    const div = document.createElement("div");
    div.className = "graph-box";
    div.innerHTML = `<div class="controls"><span>${esc(g.label)}</span>` +
      `<span class="small">now ${esc(fmt(g.history.length ? g.history[g.history.length - 1][1] : null, 5))}</span>` +
      `<button type="button" class="close-graph" title="close this graph">×</button></div>`;
    const svg = svgEl("svg", { width: 380, height: 150, class: "chart graph", "data-id": g.id,
      "data-points": g.history.length, role: "img", "aria-label": g.label });
    div.appendChild(svg);
    div.querySelector(".close-graph").addEventListener("click", () => removeGraph(g.id));
    box.appendChild(div);
    drawLine(svg, g.history, false, "epoch", "no value yet");
  }
}



function valueScale(key, st) {
  let m = 0;
  for (const g of S.model.groups) {
    if (g.kind === "BIAS") continue;
    for (const v of st.groups[g.name][key]) if (v !== null && Math.abs(v) > m) m = Math.abs(v);
  }
  if (key === "output" || key === "target") return Math.max(1, m);
  return m > 0 ? m : 1;
}

function paintUnits() {
  const st = S.state;
  if (!st) return;
  const key = S.value;
  const scale = valueScale(key, st);
  for (const u of document.querySelectorAll("#units .unit")) {
    const v = st.groups[u.dataset.group][key][+u.dataset.index];
    const c = colour(v, scale);
    u.dataset.value = v === null ? "" : String(v);
    u.classList.toggle("nan", c === null);
    u.style.background = c === null ? "" : c;
  }
  const legend = $("unit-legend");
  legend.replaceChildren();
  legend.insertAdjacentHTML("beforeend",
    `<span>${fmt(-scale, 3)}</span><span class="swatch diverging"></span><span>${fmt(scale, 3)}</span>` +
    `<span>· ${esc(S.model.value_labels[key])} · hatched: no value</span>`);
  $("example-error").textContent = `error of this example ${fmt(st.error, 5)}`;
}

async function refreshUnits() {
  const params = { example: S.example };
  if (S.model.time) params.tick = S.tick;
  S.state = await get("/api/state", params);
  paintUnits();
}

// ------------------------------------------------------------------ Hinton diagram
function svgEl(name, attrs, parent) {
  const el = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}
function svgText(parent, x, y, text, attrs) {
  const t = svgEl("text", { x, y, "font-size": 10, fill: "#555", ...(attrs || {}) }, parent);
  t.textContent = text;
  return t;
}

async function refreshBlock() {
  if (!S.block) return;
  const b = await get("/api/block", { name: S.block, view: S.blockView });
  drawHinton(b);
}

function drawHinton(b) {
  const svg = $("hinton");
  svg.replaceChildren();
  const rows = b.values.length, cols = rows ? b.values[0].length : 0;
  const labels = Math.max(rows, cols) <= 24;
  const margin = labels ? 58 : 8;
  const cell = Math.max(4, Math.min(34, Math.floor(300 / Math.max(rows, cols, 1))));
  const W = margin + cols * cell + 8, H = margin + rows * cell + 8;
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svgEl("rect", { x: margin, y: margin, width: cols * cell, height: rows * cell, fill: "#8a8a8a" }, svg);
  const max = b.max_abs || 1;
  const what = b.view === "weights" ? "w" : "dE/dw";
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = b.values[i][j];
      const s = v === null ? 0 : cell * 0.92 * Math.sqrt(Math.abs(v) / max);
      const r = svgEl("rect", {
        x: margin + j * cell + (cell - s) / 2, y: margin + i * cell + (cell - s) / 2,
        width: s, height: s, fill: v >= 0 ? "#fff" : "#000", class: "link",
        "data-row": i, "data-col": j, "data-value": v === null ? "" : String(v),
      }, svg);
      // a transparent cell on top so that even tiny weights can be hovered
      const hit = svgEl("rect", { x: margin + j * cell, y: margin + i * cell, width: cell, height: cell, fill: "transparent" }, svg);
      hoverable(hit, () => `<b>${esc(what)}</b> ${esc(b.row_names[i])} → ${esc(b.col_names[j])}<br>${esc(exact(v))}`);
      void r;
    }
  }
  if (labels) {
    b.col_names.forEach((n, j) => svgText(svg, margin + j * cell + cell / 2, margin - 4, n,
      { "text-anchor": "start", transform: `rotate(-55 ${margin + j * cell + cell / 2} ${margin - 4})` }));
    b.row_names.forEach((n, i) => svgText(svg, margin - 4, margin + i * cell + cell / 2 + 3, n, { "text-anchor": "end" }));
  }
  $("hinton-legend").replaceChildren();
  $("hinton-legend").insertAdjacentHTML("beforeend",
    `<span>rows: ${esc(b.source)} (sending) · columns: ${esc(b.dest)} (receiving)</span>` +
    `<span class="swatch hinton"></span><span>black −, white + · area ∝ |${esc(what)}| · largest ${fmt(b.max_abs, 4)}</span>`);
}

// ------------------------------------------------------------------ error curve
function drawErrors() {
  const svg = $("error-curve");
  svg.replaceChildren();
  drawLine(svg, S.errors, $("log-scale").checked, "epoch", "no training yet: Step or Run", "error-line", true);
}

// a line over epochs: pts [[epoch, value], ...]; fromZero: the value axis starts at 0 (errors)
function drawLine(svg, all, log, xlabel, empty, id, fromZero) {
  const W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
  const L = 52, R = 10, T = 10, B = 26;
  let pts = all;
  if (pts.length > 1500) {
    const stride = Math.ceil(pts.length / 1500);
    pts = pts.filter((p, i) => i % stride === 0 || i === all.length - 1);
  }
  const ys = pts.map(([, e]) => e).filter((e) => e !== null && isFinite(e));
  svgEl("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999" }, svg);
  svgEl("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#999" }, svg);
  svgText(svg, (L + W - R) / 2, H - 4, xlabel, { "text-anchor": "middle" });
  if (!ys.length) { svgText(svg, L + 10, T + 20, empty); return; }
  const tf = (e) => log ? Math.log10(Math.max(e, 1e-12)) : e;
  let lo = log || !fromZero ? Math.min(...ys.map(tf)) : Math.min(0, ...ys), hi = Math.max(...ys.map(tf));
  if (hi <= lo) { const d = Math.abs(hi) * 0.05 || 0.5; lo -= d; hi += d; }
  const e0 = pts[0][0], e1 = Math.max(pts[pts.length - 1][0], e0 + 1);
  const x = (ep) => L + (W - L - R) * (ep - e0) / (e1 - e0);
  const y = (e) => T + (H - T - B) * (1 - (tf(e) - lo) / (hi - lo));
  const d = pts.filter(([, e]) => e !== null).map(([ep, e], i) => `${i ? "L" : "M"}${x(ep).toFixed(1)},${y(e).toFixed(1)}`).join("");
  const attrs = { d, fill: "none", stroke: "#2f6f4f", "stroke-width": 1.6 };
  if (id) attrs.id = id;
  svgEl("path", attrs, svg);
  if (pts.length === 1) svgEl("circle", { cx: x(pts[0][0]), cy: y(pts[0][1]), r: 2.5, fill: "#2f6f4f" }, svg);
  const untf = (v) => log ? Math.pow(10, v) : v;
  svgText(svg, L - 4, T + 8, fmt(untf(hi), 3), { "text-anchor": "end" });
  svgText(svg, L - 4, H - B, fmt(untf(lo), 3), { "text-anchor": "end" });
  svgText(svg, L, H - B + 12, String(e0), { "text-anchor": "start" });
  svgText(svg, W - R, H - B + 12, String(pts[pts.length - 1][0]), { "text-anchor": "end" });
}

// ------------------------------------------------------------------ representations
async function refreshReps() {
  if (!S.repGroup) return;
  const r = await get("/api/representations", { group: S.repGroup, method: S.repMethod });
  drawReps(r);
}

function drawReps(r) {
  const n = r.names.length;
  const mat = $("rep-matrix");
  mat.replaceChildren();
  const size = 186, labels = n <= 16 ? 34 : 2;
  const cell = (size - labels) / Math.max(n, 1);
  let dmax = 0;
  for (const row of r.dissimilarity) for (const v of row) if (v > dmax) dmax = v;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = r.dissimilarity[i][j];
      const t = dmax > 0 ? v / dmax : 0;
      const g = Math.round(255 - 200 * t);
      const rect = svgEl("rect", { x: labels + j * cell, y: labels + i * cell, width: cell + 0.3, height: cell + 0.3,
        fill: `rgb(${g},${g},${Math.min(255, g + 20)})`, class: "dcell" }, mat);
      hoverable(rect, () => `d(${esc(r.names[i])}, ${esc(r.names[j])}) = ${esc(exact(v))}`);
    }
  }
  if (n <= 16) {
    r.names.forEach((nm, i) => {
      svgText(mat, labels - 3, labels + i * cell + cell / 2 + 3, nm, { "text-anchor": "end" });
      svgText(mat, labels + i * cell + cell / 2, labels - 3, nm, { "text-anchor": "middle" });
    });
  }
  const plot = $("rep-plot");
  plot.replaceChildren();
  const P = 22, W = 186;
  const xs = r.coords.map((c) => c[0]), ys = r.coords.map((c) => c[1]);
  const span = Math.max(1e-9, ...xs.map(Math.abs), ...ys.map(Math.abs));
  const sx = (v) => W / 2 + (W / 2 - P) * v / span;
  const sy = (v) => W / 2 - (W / 2 - P) * v / span;
  svgEl("line", { x1: P / 2, y1: W / 2, x2: W - P / 2, y2: W / 2, stroke: "#ddd" }, plot);
  svgEl("line", { x1: W / 2, y1: P / 2, x2: W / 2, y2: W - P / 2, stroke: "#ddd" }, plot);
  r.coords.forEach((c, i) => {
    const dot = svgEl("circle", { cx: sx(c[0]), cy: sy(c[1]), r: 4, fill: "#2f6f4f", class: "point" }, plot);
    hoverable(dot, () => `<b>${esc(r.names[i])}</b><br>(${fmt(c[0])}, ${fmt(c[1])})`);
    if (n <= 24) svgText(plot, sx(c[0]) + 5, sy(c[1]) - 4, r.names[i], { fill: "#333" });
  });
  const extra = r.method === "pca" && r.explained
    ? `variance explained ${r.explained.map((v) => (100 * v).toFixed(0) + "%").join(", ")}`
    : (r.stress !== undefined && r.stress !== null ? `stress ${fmt(r.stress, 3)}` : "");
  $("rep-info").textContent = `${r.group}: Euclidean distances of outputs (${r.when}), dark = far; ` +
    `${r.method.toUpperCase()} ${extra}`;
}

// ------------------------------------------------------------------ refreshing
let viewsBusy = false, viewsAgain = false, lastReps = 0;
async function refreshViews(force) {
  if (viewsBusy) { viewsAgain = true; return; }
  viewsBusy = true;
  try {
    await refreshUnits();
    await refreshBlock();
    const now = Date.now();
    if (force || !S.running || now - lastReps > 1000) {
      lastReps = now;
      await refreshReps();
      await refreshUnitInfo();
    }
    showStatus();
    document.body.dataset.shown = S.state.version;     // what the views show (tests wait on it)
  } catch (e) {
    fail(e);
  } finally {
    viewsBusy = false;
    if (viewsAgain) { viewsAgain = false; setTimeout(() => refreshViews(false), 0); }
  }
}

function statusText() {
  if (S.running) return `training… epoch ${S.epoch}`;
  return `ready · epoch ${S.epoch}`;
}

function applyTraining(t) {
  if (t.epoch < S.epoch || (t.epoch === 0 && S.errors.length)) S.errors = [];
  for (const p of t.errors) if (!S.errors.length || p[0] > S.errors[S.errors.length - 1][0]) S.errors.push(p);
  S.epoch = t.epoch;
  S.running = t.running;
  $("epoch").textContent = t.epoch;
  $("error-value").textContent = t.error === null ? "–" : fmt(t.error, 6);
  $("error-value").dataset.value = t.error === null ? "" : String(t.error);
  $("stopped").textContent = t.running ? `running to epoch ${t.target}` : (t.stopped || "–") + (t.message ? `: ${t.message}` : "");
  $("pause").disabled = !t.running;
  $("step").disabled = t.running;
  $("run").disabled = t.running;
  drawErrors();
  const changed = t.version !== S.version;
  S.version = t.version;
  if (changed) refreshViews(!t.running);
  else showStatus();
}

let pollBusy = false;
async function poll() {
  if (pollBusy) return;
  pollBusy = true;
  try {
    const since = S.errors.length ? S.errors[S.errors.length - 1][0] : -1;
    let t = await get("/api/training", { since });
    const back = t.epoch < S.epoch;
    if (back) t = await get("/api/training");                 // reset elsewhere: take the whole curve
    applyTraining(t);
    if (S.graphs.length) await refreshGraphs(back);
  } catch (e) {
    fail(e);
  } finally {
    pollBusy = false;
    setTimeout(poll, S.running ? 200 : 1000);
  }
}

async function action(fn) {
  errorUntil = 0;
  setStatus("…");
  try {
    const t = await fn();
    if (t) {
      const again = t.epoch <= S.epoch;                      // a reset (or a run just started): whole graphs
      if (t.epoch < S.epoch || t.epoch === 0) S.errors = [];
      applyTraining(t);
      if (S.graphs.length) await refreshGraphs(again);
    }
  } catch (e) {
    fail(e);
  }
}

// ------------------------------------------------------------------ wiring
function wire() {
  $("step").addEventListener("click", () => action(() => post("/api/train/step")));
  $("run").addEventListener("click", () => action(() => {
    const n = Number($("run-epochs").value);
    return post("/api/train/run", { epochs: Number.isInteger(n) ? n : $("run-epochs").value });
  }));
  $("pause").addEventListener("click", () => action(() => post("/api/train/pause")));
  $("reset").addEventListener("click", () => action(async () => {
    const s = $("seed").value.trim();
    const t = await post("/api/train/reset", { seed: s === "" ? null : Number(s) });
    S.errors = [];
    return t;
  }));
  $("value-select").addEventListener("change", (e) => {
    S.value = e.target.value;
    paintUnits();
    refreshUnitInfo().catch(fail);                           // its graph button names the value
  });
  $("set-select").addEventListener("change", (e) => action(async () => {
    await post("/api/examples", { set: e.target.value });
    S.tick = null;
    await loadModel();
    await refreshGraphs(true);
    refreshViews(true);
    return null;
  }));
  $("example-select").addEventListener("change", (e) => {
    S.example = e.target.value;
    S.tick = null;
    updateTickSlider();
    refreshUnits().catch(fail);
    refreshUnitInfo().catch(fail);
  });
  $("tick-slider").addEventListener("input", (e) => {
    S.tick = Number(e.target.value);
    tickLabel();
    refreshUnits().catch(fail);
    refreshUnitInfo().catch(fail);
  });
  $("block-select").addEventListener("change", (e) => { S.block = e.target.value; refreshBlock().catch(fail); });
  for (const r of document.querySelectorAll("input[name=block-view]")) {
    r.addEventListener("change", (e) => { S.blockView = e.target.value; refreshBlock().catch(fail); });
  }
  $("rep-group").addEventListener("change", (e) => { S.repGroup = e.target.value; refreshReps().catch(fail); });
  $("rep-method").addEventListener("change", (e) => { S.repMethod = e.target.value; refreshReps().catch(fail); });
  $("log-scale").addEventListener("change", drawErrors);
  $("graph-error").addEventListener("click", () => addGraph({ value: "error", example: S.example }));
}

async function start() {
  wire();
  try {
    await loadModel();
    const open = await get("/api/watches");                  // graphs opened before this page
    for (const w of open.watches) {
      const h = await get("/api/history", { id: w.id });
      S.graphs.push({ id: w.id, label: w.label, history: h.history });
    }
    drawGraphs();
    setStatus("ready");
    document.body.dataset.ready = "1";
  } catch (e) {
    fail(e);
    return;
  }
  poll();
}

document.addEventListener("DOMContentLoaded", start);

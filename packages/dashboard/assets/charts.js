// kramers' charts as a browser library: the live dashboard page and any page that trains with kramers attached draw
// the same charts. Plain ES module, no build step and no imports: uPlot is passed in (or read from the global that
// uPlot.iife.min.js defines), so a bundler or a plain <script type="module"> can use it alike.

/** Per series in the page: thinned by stride doubling like the server's history, always keeping the latest. */
export const MAX_POINTS = 4000;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f'];
/** Charts by metric name (any plugin, whole-model values only); the first name draws solid, the rest dashed. */
export const CHARTS = Object.freeze([
  { id: 'loss', title: 'Loss', names: ['loss', 'train_loss', 'test_loss', 'train_mse', 'test_mse'], log: true },
  { id: 'accuracy', title: 'Accuracy', names: ['train_accuracy', 'test_accuracy'], log: false },
  { id: 'sharpness', title: 'Sharpness λ_max and Hessian trace (bands: uncertainty)', names: ['lambda_max', 'trace'], log: true },
  { id: 'temperature', title: 'Temperature along the top direction (T_top)', names: ['T_top'], log: true },
  { id: 'escape', title: 'Predicted escape steps', names: ['predicted_steps'], log: true },
  { id: 'noise', title: 'Gradient noise scale and critical batch size', names: ['noise_scale', 'critical_batch_size'], log: true },
  { id: 'density', title: 'Latest Hessian spectral density', names: ['density'], log: true, histogram: true },
]);
/** The CLI's final-table columns, in its order; columns no run has are left out. */
export const TABLE_COLUMNS = Object.freeze(['train_loss', 'train_accuracy', 'test_accuracy', 'train_mse', 'test_mse', 'lambda_max', 'lambda_min', 'noise_scale', 'critical_batch_size', 'T_top', 'predicted_steps', 'grad_norm', 'distance']);
const DASHES = [[], [6, 4], [2, 3], [8, 3, 2, 3], [1, 4]];

/** Numbers as the CLI's table prints them: 4 significant digits, exponents outside [1e-4, 1e4). */
export function formatValue(v) {
  if (v === null || v === undefined || typeof v !== 'number') return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e4)) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(4)));
}

/**
 * Draws kramers events into `container`: run toggles, a latest-values table, one uPlot chart per chart spec that has
 * data, and the escape/trapped and plugin-error lists. Events go in through `push`; drawing happens at most once per
 * animation frame, only for what changed. Options (all optional):
 *   uPlot        the uPlot constructor (default: the global `uPlot`)
 *   charts       chart specs (default CHARTS; pass a subset, e.g. CHARTS.filter(…), to leave charts out)
 *   maxPoints    points kept per series (default MAX_POINTS)
 *   runsElement, tableElement (a <table> with a <thead> and a <tbody>), chartsElement, markersElement (<ul>),
 *   errorsElement (<ul>): existing elements to draw those parts into instead of creating them in `container` (the
 *                dashboard page puts the run toggles in its header)
 *   requestFrame the frame scheduler (default requestAnimationFrame)
 */
export function createCharts(container, options = {}) {
  const UPlot = options.uPlot ?? globalThis.uPlot;
  if (typeof UPlot !== 'function') {
    throw new TypeError('createCharts: options.uPlot must be the uPlot constructor (import uPlot from "uplot"), or load uPlot.iife.min.js first so the global uPlot exists');
  }
  if (!container || typeof container.append !== 'function') throw new TypeError('createCharts: container must be a DOM element');
  const specs = options.charts ?? CHARTS;
  const maxPoints = options.maxPoints ?? MAX_POINTS;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) throw new RangeError(`createCharts: options.maxPoints must be an integer ≥ 2, got ${String(maxPoints)}`);
  const requestFrame = options.requestFrame ?? ((f) => requestAnimationFrame(f));

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const section = (title, body) => {
    const s = el('section', 'kramers-section');
    s.append(el('h2', '', title), body);
    container.append(s);
    return body;
  };
  const parts = {
    runs: options.runsElement ?? (() => { const d = el('div', 'runs'); container.append(d); return d; })(),
    table: options.tableElement ?? (() => {
      const t = el('table', 'latest');
      t.append(el('thead'), el('tbody'));
      const wrap = el('div', 'table-wrap');
      wrap.append(t);
      section('Latest values', wrap);
      return t;
    })(),
    charts: options.chartsElement ?? (() => { const s = el('section', 'charts'); container.append(s); return s; })(),
    markers: options.markersElement ?? section('Escape and trapped events', el('ul', 'list')),
    errors: options.errorsElement ?? section('Plugin errors', el('ul', 'list')),
  };

  let state;
  const charts = new Map(); // chart id -> { spec, plot, structure, log, box, area, note, series }
  const dirty = { charts: new Set(), table: false, runs: false, lists: false };
  let frameRequested = false;
  let destroyed = false;

  function reset() {
    state = { runs: new Map(), series: new Map(), latest: new Map(), density: new Map(), markers: [], errors: [] };
    for (const c of charts.values()) if (c.plot) { c.plot.destroy(); c.plot = null; c.structure = ''; }
    for (const spec of specs) dirty.charts.add(spec.id);
    dirty.table = dirty.runs = dirty.lists = true;
    requestDraw();
  }

  function run(runId) {
    let r = state.runs.get(runId);
    if (!r) {
      r = { id: runId, color: PALETTE[state.runs.size % PALETTE.length], visible: true, status: 'running', iteration: 0 };
      state.runs.set(runId, r);
      dirty.runs = dirty.table = true;
    }
    return r;
  }

  function chartOf(name) {
    for (const spec of specs) if (spec.names.includes(name)) return spec;
    return undefined;
  }

  function addPoint(key, x, y, lo, hi) {
    let s = state.series.get(key);
    if (!s) { s = { xs: [], ys: [], lo: [], hi: [], stride: 1, count: 0, tail: null }; state.series.set(key, s); }
    const index = s.count++;
    s.tail = [x, y, lo, hi];
    if (index % s.stride !== 0) return;
    s.xs.push(x); s.ys.push(y); s.lo.push(lo); s.hi.push(hi); s.tail = null;
    if (s.xs.length >= maxPoints) {
      s.stride *= 2;
      const keep = (_, i) => i % 2 === 0; // kept points are at multiples of the old stride; halve them.
      s.xs = s.xs.filter(keep); s.ys = s.ys.filter(keep); s.lo = s.lo.filter(keep); s.hi = s.hi.filter(keep);
    }
  }

  function handle(e) {
    if (!e || typeof e !== 'object' || typeof e.runId !== 'string') return;
    const r = run(e.runId);
    if (typeof e.iteration === 'number' && e.iteration > r.iteration) r.iteration = e.iteration;
    if (e.kind === 'run') {
      if (e.phase === 'end') r.status = String((e.info && e.info.status) || 'ended');
      else r.status = 'running';
      dirty.table = true;
      return;
    }
    if (e.kind === 'plugin-error') {
      state.errors.push(`${e.runId}: plugin ${e.plugin} failed at step ${e.iteration} (${e.phase}): ${e.message}`);
      dirty.lists = true;
      return;
    }
    if (e.kind !== 'metric' || e.layer !== undefined) return;
    if ((e.name === 'trapped' && e.value === 1) || e.name === 'escaped') {
      const a = e.attributes || {};
      const why = e.name === 'trapped' ? `${a.reason ?? ''}${a.remedy ? `; ${a.remedy}` : ''}` : (a.message ?? a.reason ?? '');
      state.markers.push({ runId: e.runId, iteration: e.iteration, kind: e.name, text: `${e.runId} ${e.name} at step ${e.iteration}${why ? `: ${why}` : ''}` });
      dirty.lists = true;
      for (const spec of specs) dirty.charts.add(spec.id);
    }
    const spec = chartOf(e.name);
    if (typeof e.value === 'number' || e.value === null) {
      let latest = state.latest.get(e.runId);
      if (!latest) { latest = new Map(); state.latest.set(e.runId, latest); }
      const prev = latest.get(e.name);
      if (!prev || prev.iteration <= e.iteration) latest.set(e.name, e);
      dirty.table = true;
      if (spec && !spec.histogram) {
        const u = e.uncertainty || {};
        const y = e.value;
        const lo = u.lower !== undefined ? u.lower : u.stderr !== undefined && y !== null ? y - 2 * u.stderr : null;
        const hi = u.upper !== undefined ? u.upper : u.stderr !== undefined && y !== null ? y + 2 * u.stderr : null;
        addPoint(`${e.runId}\u0000${e.name}`, e.iteration, y, lo, hi);
        dirty.charts.add(spec.id);
      }
    } else if (spec && spec.histogram && e.value && e.value.kind === 'histogram') {
      state.density.set(e.runId, e.value);
      dirty.charts.add(spec.id);
    }
  }

  // ---- drawing (at most once per frame) ----

  function requestDraw() {
    if (frameRequested || destroyed) return;
    frameRequested = true;
    requestFrame(draw);
  }

  function draw() {
    frameRequested = false;
    if (destroyed) return;
    if (dirty.runs) { drawRuns(); dirty.runs = false; }
    if (dirty.table) { drawTable(); dirty.table = false; }
    if (dirty.lists) { drawLists(); dirty.lists = false; }
    for (const id of dirty.charts) drawChart(specs.find((s) => s.id === id));
    dirty.charts.clear();
  }

  function setVisible(r, visible) {
    if (r.visible === visible) return;
    r.visible = visible;
    dirty.runs = true;
    for (const c of charts.values()) applyVisibility(c);
    requestDraw();
  }

  function drawRuns() {
    const box = parts.runs;
    box.textContent = '';
    for (const r of state.runs.values()) {
      const b = el('button', `run-toggle${r.visible ? '' : ' hidden'}`);
      const sw = el('span', 'swatch');
      sw.style.background = r.color;
      b.append(sw, document.createTextNode(r.id));
      b.title = 'show or hide this run';
      b.addEventListener('click', () => setVisible(r, !r.visible));
      box.append(b);
    }
  }

  function drawTable() {
    const table = parts.table;
    const present = TABLE_COLUMNS.filter((c) => [...state.latest.values()].some((m) => m.has(c)));
    const head = el('tr');
    for (const h of ['run', 'status', 'step', ...present]) head.append(el('th', '', h));
    table.tHead.replaceChildren(head);
    const rows = [];
    for (const r of state.runs.values()) {
      const tr = el('tr');
      const name = el('td', '', r.id);
      name.style.color = r.color;
      tr.append(name, el('td', '', r.status), el('td', '', String(r.iteration)));
      const m = state.latest.get(r.id);
      for (const c of present) {
        const e = m && m.get(c);
        const se = e && e.uncertainty && e.uncertainty.stderr;
        tr.append(el('td', '', e ? `${formatValue(e.value)}${se !== undefined ? ` ± ${formatValue(se)}` : ''}${e.prediction ? ' (pred)' : ''}` : '—'));
      }
      rows.push(tr);
    }
    table.tBodies[0].replaceChildren(...rows);
  }

  function drawLists() {
    const fill = (ul, items, emptyText, cls) => {
      const lis = items.slice(-500).map((it) => el('li', cls ? cls(it) : '', typeof it === 'string' ? it : it.text));
      ul.replaceChildren(...(lis.length ? lis : [el('li', 'empty', emptyText)]));
    };
    fill(parts.markers, state.markers, 'none yet', (m) => m.kind);
    fill(parts.errors, state.errors, 'none');
  }

  const plotWidth = (c) => Math.max(320, c.box.clientWidth - 16);

  function chartBox(spec) {
    let c = charts.get(spec.id);
    if (c) return c;
    const box = el('div', 'chart');
    const headRow = el('div', 'chart-head');
    const toggle = el('button', '', spec.log ? 'log' : 'linear');
    toggle.title = 'switch the y axis between log and linear';
    headRow.append(el('h2', '', spec.title), toggle);
    const note = el('p', 'note', 'waiting for data…');
    const area = el('div');
    box.append(headRow, note, area);
    parts.charts.append(box);
    c = { spec, plot: null, structure: '', log: spec.log, box, area, note, series: [] };
    toggle.addEventListener('click', () => {
      c.log = !c.log;
      toggle.textContent = c.log ? 'log' : 'linear';
      c.structure = '';
      dirty.charts.add(spec.id);
      requestDraw();
    });
    charts.set(spec.id, c);
    return c;
  }

  /** uPlot wants one shared x array: the union of the series' x values, each series null where it has no point. */
  function aligned(columns, log) {
    const xset = new Set();
    for (const col of columns) for (const x of col.xs) xset.add(x);
    const xs = Float64Array.from(xset).sort();
    const pos = new Map();
    xs.forEach((x, i) => pos.set(x, i));
    const clean = (v) => (v === null || v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v);
    const out = [xs];
    for (const col of columns) {
      const ys = new Array(xs.length).fill(null);
      for (let i = 0; i < col.xs.length; i++) ys[pos.get(col.xs[i])] = clean(col.ys[i]);
      out.push(ys);
    }
    return out;
  }

  function withTail(s) {
    if (!s.tail) return s;
    return { xs: [...s.xs, s.tail[0]], ys: [...s.ys, s.tail[1]], lo: [...s.lo, s.tail[2]], hi: [...s.hi, s.tail[3]] };
  }

  function drawChart(spec) {
    const c = chartBox(spec); // every chart shows from the start, saying it waits for data
    const columns = []; // { runId, label, xs, ys, dash, band: 'lo'|'hi'|undefined }
    if (spec.histogram) {
      for (const r of state.runs.values()) {
        const h = state.density.get(r.id);
        if (!h) continue;
        const xs = h.counts.map((_, i) => (h.edges[i] + h.edges[i + 1]) / 2);
        columns.push({ runId: r.id, label: r.id, xs, ys: h.counts.slice(), dash: [] });
      }
    } else {
      for (const r of state.runs.values()) {
        spec.names.forEach((name, k) => {
          const raw = state.series.get(`${r.id}\u0000${name}`);
          if (!raw) return;
          const s = withTail(raw);
          const label = spec.names.length > 1 ? `${r.id} ${name}` : r.id;
          columns.push({ runId: r.id, label, xs: s.xs, ys: s.ys, dash: DASHES[k % DASHES.length] });
          if (s.lo.some((v) => v !== null) && s.hi.some((v) => v !== null)) {
            columns.push({ runId: r.id, label: `${label} upper`, xs: s.xs, ys: s.hi, dash: [], band: 'hi' });
            columns.push({ runId: r.id, label: `${label} lower`, xs: s.xs, ys: s.lo, dash: [], band: 'lo' });
          }
        });
      }
    }
    if (columns.length === 0) return;
    c.note.textContent = spec.histogram ? 'x: eigenvalue; latest estimate per run' : 'x: iteration';
    const data = aligned(columns, c.log);
    const structure = `${c.log}|${columns.map((col) => col.label).join('|')}`;
    if (structure !== c.structure || !c.plot) {
      if (c.plot) c.plot.destroy();
      c.series = columns;
      c.plot = new UPlot(plotOptions(spec, c, columns), data, c.area);
      c.structure = structure;
      applyVisibility(c);
    } else {
      c.plot.setData(data);
    }
  }

  function plotOptions(spec, c, columns) {
    const color = (runId) => state.runs.get(runId).color;
    const series = [{ label: spec.histogram ? 'λ' : 'iteration' }];
    const bands = [];
    columns.forEach((col, i) => {
      if (col.band) {
        series.push({ label: col.label, stroke: color(col.runId) + '55', width: 1, points: { show: false }, spanGaps: true });
        if (col.band === 'lo') bands.push({ series: [i, i + 1], fill: color(col.runId) + '22' }); // uPlot index = column + 1
      } else {
        // Sparse series (per-epoch metrics) show their points: a lone measurement draws no line.
        series.push({ label: col.label, stroke: color(col.runId), width: 1.5, dash: col.dash, spanGaps: true, points: { show: col.xs.length <= 60, size: 5, fill: color(col.runId) } });
      }
    });
    return {
      width: plotWidth(c),
      height: 240,
      cursor: { sync: { key: spec.histogram ? 'density' : 'kramers' } },
      scales: { x: { time: false }, y: c.log ? { distr: 3 } : {} },
      // Compact tick labels: escape times reach 10²⁰ steps, temperatures 10⁻⁶.
      axes: [{}, { size: 70, values: (u, vals) => vals.map((v) => (v == null ? '' : Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(0) : String(+v.toPrecision(3)))) }],
      series,
      bands,
      legend: { live: true },
      hooks: spec.histogram ? {} : { draw: [(u) => drawMarkers(u)] },
    };
  }

  /** Escape (solid) and trapped (dashed) events as vertical lines in their run's colour. */
  function drawMarkers(u) {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const dpr = globalThis.devicePixelRatio || 1;
    ctx.save();
    ctx.lineWidth = 1.5 * dpr;
    for (const m of state.markers) {
      const r = state.runs.get(m.runId);
      if (!r || !r.visible) continue;
      const x = u.valToPos(m.iteration, 'x', true);
      if (!(x >= left && x <= left + width)) continue;
      ctx.strokeStyle = r.color;
      ctx.setLineDash(m.kind === 'trapped' ? [4 * dpr, 3 * dpr] : []);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  function applyVisibility(c) {
    if (!c.plot) return;
    c.series.forEach((col, i) => {
      const show = state.runs.get(col.runId).visible;
      if (c.plot.series[i + 1].show !== show) c.plot.setSeries(i + 1, { show });
    });
  }

  function resize() {
    for (const c of charts.values()) if (c.plot) c.plot.setSize({ width: plotWidth(c), height: 240 });
  }
  globalThis.addEventListener?.('resize', resize);

  reset();

  return {
    /** Adds one KramersEvent (a MetricEvent, PluginErrorEvent or RunEvent, or its JSON form); others are ignored. */
    push(event) {
      handle(event);
      requestDraw();
    },
    /** Lists a message of the page's own (say, an event it could not read) with the plugin errors. */
    addError(message) {
      state.errors.push(String(message));
      dirty.lists = true;
      requestDraw();
    },
    /** Forgets every run and clears the charts (the dashboard does this when its stream restarts). */
    reset,
    /** Shows or hides a run in every chart (flips it when `visible` is omitted); false for a run not seen yet. */
    toggleRun(runId, visible) {
      const r = state.runs.get(runId);
      if (!r) return false;
      setVisible(r, visible === undefined ? !r.visible : Boolean(visible));
      return true;
    },
    /** The runs seen so far, in arrival order. */
    runs() {
      return [...state.runs.values()].map(({ id, color, visible, status, iteration }) => ({ id, color, visible, status, iteration }));
    },
    /** The latest scalar value of a metric for a run (by metric name, any plugin), or undefined. */
    latest(runId, name) {
      const e = state.latest.get(runId)?.get(name);
      return e === undefined ? undefined : e.value;
    },
    /** Draws now whatever is pending instead of at the next frame. */
    flush: draw,
    /** Re-fits every chart to its box's width. */
    resize,
    /** Destroys the charts and stops listening; later pushes are ignored. */
    destroy() {
      destroyed = true;
      globalThis.removeEventListener?.('resize', resize);
      for (const c of charts.values()) if (c.plot) c.plot.destroy();
      charts.clear();
    },
  };
}

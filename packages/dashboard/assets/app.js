// The kramers live page: reads /events (server-sent events) into the charts library (charts.js), which keeps a
// thinned copy of every series and redraws at most once per animation frame. Plain ES modules, no build step; uPlot
// is loaded before this file as the global `uPlot`.
import { createCharts } from './charts.js';

const $ = (id) => document.getElementById(id);
const charts = createCharts(document.querySelector('main'), {
  runsElement: $('runs'),
  tableElement: $('latest'),
  chartsElement: $('charts'),
  markersElement: $('markers'),
  errorsElement: $('errors'),
});

const status = $('status');
const source = new EventSource('/events');
source.addEventListener('reset', () => {
  charts.reset();
  status.textContent = 'loading history…';
  status.className = 'status';
});
source.addEventListener('live', () => {
  status.textContent = 'live';
  status.className = 'status live';
});
source.onmessage = (m) => {
  let event;
  try {
    event = JSON.parse(m.data);
  } catch (err) {
    charts.addError(`page: could not read an event (${err && err.message})`);
    return;
  }
  charts.push(event);
};
source.onerror = () => {
  status.textContent = 'disconnected — retrying (training may have ended; the last data stays shown)';
  status.className = 'status down';
};

// The dashboard page: sends the article to POST /api/analyze and draws the
// result. The charts are those of `analyze --format html` (cli/report_html.c):
// same geometry, same classes, same stylesheet.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const CHART_WIDTH = 800;
const TIMELINE_HEIGHT = 220;
const PAD_LEFT = 40, PAD_RIGHT = 14, PAD_TOP = 12, PAD_BOTTOM = 26;
const BAR_ROW = 26, BAR_LABEL = 220, TOPICS_SHOWN = 10, KEY_SENTENCES = 3;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, parent, text) {
  const node = tag.startsWith('svg:')
    ? document.createElementNS(SVG, tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

const signClass = (v) => (v > 0 ? 'pos' : v < 0 ? 'neg' : 'neu');
const signed = (v, digits) => (v >= 0 ? '+' : '') + v.toFixed(digits);

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

function drawGauge(svg, score) {
  clear(svg);
  const defs = el('svg:defs', {}, svg);
  const grad = el('svg:linearGradient', { id: 'gauge-gradient' }, defs);
  el('svg:stop', { offset: '0', 'stop-color': '#b42318' }, grad);
  el('svg:stop', { offset: '.5', 'stop-color': '#d9dee5' }, grad);
  el('svg:stop', { offset: '1', 'stop-color': '#1a7f4b' }, grad);
  el('svg:rect', { class: 'track', x: 10, y: 6, width: CHART_WIDTH - 20, height: 8, rx: 4 }, svg);
  const x = 10 + ((score + 1) / 2) * (CHART_WIDTH - 20) - 6;
  el('svg:path', { class: 'needle', d: `M${x.toFixed(1)} 0 h12 l-6 14 z` }, svg);
  el('svg:text', { x: 10, y: 30 }, svg, '-1');
  el('svg:text', { x: CHART_WIDTH / 2, y: 30, 'text-anchor': 'middle' }, svg, '0');
  el('svg:text', { x: CHART_WIDTH - 10, y: 30, 'text-anchor': 'end' }, svg, '+1');
  svg.setAttribute('aria-label', `score ${signed(score, 3)}`);
}

function timelineX(i, n) {
  const span = CHART_WIDTH - PAD_LEFT - PAD_RIGHT;
  return n < 2 ? PAD_LEFT + span / 2 : PAD_LEFT + (span * i) / (n - 1);
}

function timelineY(score) {
  const half = (TIMELINE_HEIGHT - PAD_TOP - PAD_BOTTOM) / 2;
  return PAD_TOP + half - score * half;
}

// One point a sentence, at its score; its tooltip quotes the sentence.
function drawTimeline(svg, sentences) {
  clear(svg);
  const n = sentences.length;
  svg.setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${TIMELINE_HEIGHT}`);
  svg.dataset.sentences = n;
  for (const tick of [1, 0.5, 0, -0.5, -1]) {
    const y = timelineY(tick).toFixed(1);
    el('svg:line', { class: tick === 0 ? 'zero' : 'axis', x1: PAD_LEFT, x2: CHART_WIDTH - PAD_RIGHT, y1: y, y2: y }, svg);
    el('svg:text', { x: PAD_LEFT - 6, y: (timelineY(tick) + 4).toFixed(1), 'text-anchor': 'end' }, svg, signed(tick, 1));
  }
  el('svg:text', { x: timelineX(0, n).toFixed(1), y: TIMELINE_HEIGHT - 6, 'text-anchor': 'middle' }, svg, '1');
  if (n > 1)
    el('svg:text', { x: timelineX(n - 1, n).toFixed(1), y: TIMELINE_HEIGHT - 6, 'text-anchor': 'middle' }, svg, String(n));
  const points = sentences.map((s, i) => `${timelineX(i, n).toFixed(1)},${timelineY(s.score).toFixed(1)}`);
  el('svg:polyline', { class: 'trace', points: points.join(' ') }, svg);
  const radius = n <= 60 ? 4.5 : n <= 250 ? 3 : 1.8;
  sentences.forEach((s, i) => {
    const dot = el('svg:circle', {
      class: `point ${signClass(s.score)}`,
      cx: timelineX(i, n).toFixed(1),
      cy: timelineY(s.score).toFixed(1),
      r: radius,
    }, svg);
    el('svg:title', {}, dot, `${i + 1}: ${signed(s.score, 2)}  ${s.text}`);
  });
}

// Tagged topics and those with a visible share; false when there are none.
function drawTopics(svg, topics) {
  clear(svg);
  const rows = (topics || []).filter((t) => t.tagged || t.share >= 0.005).slice(0, TOPICS_SHOWN);
  if (!rows.length) return false;
  const top = Math.max(...rows.map((t) => t.share));
  const span = CHART_WIDTH - BAR_LABEL - 70;
  svg.setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${rows.length * BAR_ROW + 4}`);
  rows.forEach((t, i) => {
    const y = i * BAR_ROW + 4;
    const w = top > 0 ? (t.share / top) * span : 0;
    const value = `${Math.round(100 * t.share)}%`;
    el('svg:text', { class: 'name', x: 0, y: (y + 15).toFixed(1) }, svg, t.name);
    const bar = el('svg:rect', {
      class: t.tagged ? 'bar' : 'bar untagged',
      x: BAR_LABEL, y: (y + 2).toFixed(1), width: w.toFixed(1), height: BAR_ROW - 8, rx: 3,
    }, svg);
    el('svg:title', {}, bar, `${t.name}: ${value}`);
    el('svg:text', { x: (BAR_LABEL + w + 6).toFixed(1), y: (y + 15).toFixed(1) }, svg, value);
  });
  return true;
}

function fillKeySentences(table, indices, sentences) {
  clear(table);
  for (const i of (indices || []).slice(0, KEY_SENTENCES)) {
    const s = sentences[i];
    const row = el('tr', {}, table);
    el('td', { class: `num ${signClass(s.score)}` }, row, signed(s.score, 2));
    el('td', {}, row, s.text);
  }
  if (!table.rows.length) el('td', { class: 'meta' }, el('tr', {}, table), 'none');
}

// The text with each driver marked. Driver spans are byte offsets into the
// UTF-8 text, so the text is cut as bytes and each piece decoded.
function markText(container, text, drivers) {
  clear(container);
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const piece = (from, to) => decoder.decode(bytes.subarray(from, to));
  const spans = [...drivers].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const d of spans) {
    if (d.start < at || d.start + d.length > bytes.length) continue; // inside a marked expression
    container.appendChild(document.createTextNode(piece(at, d.start)));
    const rules = d.rules.length ? ` (${d.rules.join(', ')})` : '';
    el('mark', { class: signClass(d.contribution), title: `${d.term} ${signed(d.contribution, 2)}${rules}` },
      container, piece(d.start, d.start + d.length));
    at = d.start + d.length;
  }
  container.appendChild(document.createTextNode(piece(at, bytes.length)));
}

function render(result) {
  const s = result.sentiment;
  const doc = $('document');
  clear(doc);
  for (const part of [result.encoding, `${result.stats.characters} characters`,
    `${result.stats.words} words`, `${result.stats.sentences} sentences`])
    el('span', {}, doc, part);
  const label = $('label');
  label.className = `label ${s.label}`;
  label.textContent = s.label_fr;
  $('score').textContent = signed(s.score, 3);
  $('subjectivity').textContent = `subjectivity ${s.subjectivity.toFixed(2)}`;
  drawGauge($('gauge'), s.score);
  drawTimeline($('timeline'), result.sentences);
  $('topics-card').hidden = !drawTopics($('topics'), result.topics);
  fillKeySentences($('key-positive'), result.key_sentences.positive, result.sentences);
  fillKeySentences($('key-negative'), result.key_sentences.negative, result.sentences);
  markText($('marked'), result.text, s.drivers);
  $('results').hidden = false;
}

async function analyze(body, contentType) {
  const status = $('status');
  $('analyze').disabled = true;
  status.className = 'meta';
  status.textContent = 'Analysing…';
  try {
    const response = await fetch('/api/analyze', {
      method: 'POST', headers: { 'Content-Type': contentType }, body,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error ? answer.error.message : response.statusText);
    render(answer);
    status.textContent = '';
    return answer;
  } catch (err) {
    status.className = 'error';
    status.textContent = err.message;
    return null;
  } finally {
    $('analyze').disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('input').addEventListener('submit', (event) => {
    event.preventDefault();
    analyze(JSON.stringify({ text: $('text').value }), 'application/json');
  });
  // A file goes as it is, bytes and all: the server detects UTF-8 or
  // Windows-1252, and the decoded text comes back with the result.
  $('file').addEventListener('change', async () => {
    const file = $('file').files[0];
    if (!file) return;
    const answer = await analyze(await file.arrayBuffer(), 'text/plain');
    if (answer) $('text').value = answer.text;
  });
});

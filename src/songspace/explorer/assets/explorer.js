/* songspace explorer: two t-SNE maps side by side (Vega, canvas renderer), a linked box
 * selection, search by title or artist, and a chosen song's nearest neighbours in a latent
 * space. Data: window.SONGSPACE_EXPLORER (data.js, written by songspace.explorer). Works from
 * file:// with no network: every file is beside this one. */
(function () {
  "use strict";
  const D = window.SONGSPACE_EXPLORER;
  const W = 540, H = 500, PAD = 0;           // plot size in CSS pixels
  const MAX_RESULTS = 30;
  const FADED = 0.12, SHOWN = 0.78, PICKED = 0.95;  // FADED: the base layer's opacity
  // K-Means clusters and artists take tab20-like colours (genres keep the PNGs' palette).
  const CYCLE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79", "#637939"];

  // --- data ----------------------------------------------------------------------------
  function bytes(b64) {
    const s = atob(b64), out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  const n = D.n_songs;
  const titles = D.titles, artistNames = D.artists;
  const artist = new Uint32Array(bytes(D.artist).buffer);
  const genre = bytes(D.genre);
  const IndexArray = D.index_type === "<u2" ? Uint16Array : Uint32Array;
  const methods = D.methods.map(function (m) {
    const xy = new Uint16Array(bytes(m.xy).buffer);
    const x = new Float32Array(n), y = new Float32Array(n);
    let maxX = 0, maxY = 0;
    for (let i = 0; i < n; i++) {
      x[i] = xy[2 * i]; y[i] = xy[2 * i + 1];
      if (x[i] > maxX) maxX = x[i];
      if (y[i] > maxY) maxY = y[i];
    }
    const tuples = new Array(n);
    for (let i = 0; i < n; i++) tuples[i] = {i: i, x: x[i], y: y[i]};
    return {name: m.name, title: m.title, figures: m.figures, k: m.k, x: x, y: y,
      maxX: maxX, maxY: maxY, tuples: tuples, cluster: bytes(m.cluster),
      nClusters: m.n_clusters, neighbours: new IndexArray(bytes(m.neighbours).buffer),
      similar: bytes(m.similar)};
  });
  const byName = {};
  methods.forEach(function (m, i) { byName[m.name] = i; });
  const artistColour = new Uint8Array(n);
  for (let i = 0; i < n; i++) artistColour[i] = artist[i] % CYCLE.length;

  function fold(text) {  // accents and case ignored
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  const foldedTitles = titles.map(fold), foldedArtists = artistNames.map(fold);

  // --- state -----------------------------------------------------------------------------
  const state = {
    method: [byName[D.default[0]], byName[D.default[1]]],
    colourBy: "genre", chosen: -1, neighbourMethod: byName[D.default[0]],
    selection: null,  // {side, mask, count, w, h}
    views: [], tops: [], dom: [], pending: Promise.resolve(),
  };

  // --- small helpers -----------------------------------------------------------------
  const $ = function (id) { return document.getElementById(id); };
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(v) { return v === null || v === undefined ? "–" : v.toFixed(3); }
  function figuresText(m) {
    return "k-NN " + fmt(m.figures.knn_accuracy) + " · NMI " + fmt(m.figures.nmi) +
      " · similar-artist " + fmt(m.figures.similar_artist_rate);
  }
  function genreName(i) { return genre[i] < D.genres.length ? D.genres[genre[i]] : "(unlabelled)"; }
  function swatch(colour) {
    const s = el("span", "swatch");
    s.style.background = colour;
    return s;
  }

  // --- maps ------------------------------------------------------------------------------
  // Each map is two Vega views on two stacked canvases: the base draws every song and is
  // redrawn only when the map moves or recolours; the top draws the selected songs and the
  // rings. A selection fades the base by CSS opacity (no redraw) and redraws only the top:
  // redrawing 20,000 points costs 50-100 ms a map in a browser without a GPU.
  function spec(top) {
    const encode = function (opacity) {
      return {enter: {shape: {value: "circle"}, strokeWidth: {value: 0}, fillOpacity: {value: opacity}},
        update: {x: {scale: "x", field: "x"}, y: {scale: "y", field: "y"},
          size: {signal: "dot"}, fill: {signal: "pal[col[datum.i]]"}}};
    };
    const marks = top ? [
      {type: "symbol", name: "lit-dots", from: {data: "lit"}, clip: true, interactive: false,
        encode: encode(PICKED)},
      {type: "symbol", name: "rings", from: {data: "marked"}, clip: true, interactive: false,
        encode: {update: {
          x: {scale: "x", field: "x"}, y: {scale: "y", field: "y"}, shape: {value: "circle"},
          size: {field: "size"}, stroke: {field: "stroke"}, strokeWidth: {field: "width"},
          fill: {value: "transparent"}}}},
    ] : [{type: "symbol", name: "dots", from: {data: "points"}, clip: true, encode: encode(SHOWN)}];
    return {
      width: W, height: H, padding: PAD, autosize: "none", background: top ? null : "white",
      signals: [
        {name: "xdom", value: [0, 10000]}, {name: "ydom", value: [0, 10000]},
        {name: "pal", value: D.colours}, {name: "col", value: genre},
        {name: "dot", value: n > 10000 ? 7 : 14},
      ],
      data: top ? [{name: "lit", values: []}, {name: "marked", values: []}] : [{name: "points", values: []}],
      scales: [
        {name: "x", type: "linear", domain: {signal: "xdom"}, range: [0, W], zero: false, nice: false},
        {name: "y", type: "linear", domain: {signal: "ydom"}, range: [H, 0], zero: false, nice: false},
      ],
      marks: marks,
    };
  }

  function both(side) { return [state.views[side], state.tops[side]]; }
  function setSignals(side, values) {
    both(side).forEach(function (view) {
      Object.keys(values).forEach(function (name) { view.signal(name, values[name]); });
    });
  }

  function wholeDomain(m) {
    const per = Math.max(m.maxX / W, m.maxY / H, 1e-9) * 1.04;  // units per pixel, aspect kept
    const cx = m.maxX / 2, cy = m.maxY / 2;
    return [[cx - per * W / 2, cx + per * W / 2], [cy - per * H / 2, cy + per * H / 2]];
  }

  function colourSignals(side) {
    const m = methods[state.method[side]];
    if (state.colourBy === "cluster") return {pal: CYCLE, col: m.cluster};
    if (state.colourBy === "artist") return {pal: CYCLE, col: artistColour};
    return {pal: D.colours, col: genre};
  }

  function run(view) {  // renders are chained, so idle() resolves once every view is drawn
    state.pending = state.pending.then(function () { return view.runAsync(); });
    return state.pending;
  }

  function showMethod(side) {
    const m = methods[state.method[side]], dom = wholeDomain(m), c = colourSignals(side);
    setSignals(side, {xdom: dom[0], ydom: dom[1], pal: c.pal, col: c.col});
    state.views[side].data("points", m.tuples);
    state.tops[side].data("marked", markedTuples(side));
    const head = document.querySelectorAll(".panel")[side];
    head.querySelector(".figures").textContent = figuresText(m);
    head.querySelector("select").value = m.name;
    both(side).forEach(run);
  }

  // --- selection -------------------------------------------------------------------------
  function together(side, mask, w, h) {
    // The most selected songs one box of the selection's size holds in this map: counted on
    // a grid of cells a sixteenth of the box (at most 500 a side), summed over every window
    // of the box's size. A lower bound: the box moves in steps of a cell.
    const m = methods[state.method[side]];
    const steps = 16, cap = 500;
    const cw = Math.max(w / steps, m.maxX / cap, 1e-9), ch = Math.max(h / steps, m.maxY / cap, 1e-9);
    const nx = Math.floor(m.maxX / cw) + 1, ny = Math.floor(m.maxY / ch) + 1;
    const grid = new Int32Array((nx + 1) * (ny + 1));  // 2-D prefix sums, one-based
    for (let i = 0; i < n; i++) {
      if (!mask[i]) continue;
      grid[(Math.floor(m.y[i] / ch) + 1) * (nx + 1) + Math.floor(m.x[i] / cw) + 1] += 1;
    }
    for (let r = 1; r <= ny; r++) {
      for (let q = 1; q <= nx; q++) {
        const at = r * (nx + 1) + q;
        grid[at] += grid[at - 1] + grid[at - nx - 1] - grid[at - nx - 2];
      }
    }
    const bw = Math.max(1, Math.round(w / cw)), bh = Math.max(1, Math.round(h / ch));
    let best = 0;
    for (let r = 0; r <= Math.max(0, ny - bh); r++) {
      const r1 = Math.min(ny, r + bh);
      for (let q = 0; q <= Math.max(0, nx - bw); q++) {
        const q1 = Math.min(nx, q + bw);
        const s = grid[r1 * (nx + 1) + q1] - grid[r * (nx + 1) + q1] -
          grid[r1 * (nx + 1) + q] + grid[r * (nx + 1) + q];
        if (s > best) best = s;
      }
    }
    return best;
  }

  function select(side, x0, x1, y0, y1) {
    const m = methods[state.method[side]], mask = new Uint8Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (m.x[i] >= x0 && m.x[i] <= x1 && m.y[i] >= y0 && m.y[i] <= y1) { mask[i] = 1; count++; }
    }
    state.selection = count ? {side: side, mask: mask, count: count, w: x1 - x0, h: y1 - y0} : null;
    if (!count) state.dom[side].brush.hidden = true;
    return showSelection();
  }

  function showSelection() {
    const s = state.selection;
    [0, 1].forEach(function (side) {
      const out = $(side ? "count-right" : "count-left");
      if (!s) {
        out.textContent = ""; out.dataset.selected = "0"; delete out.dataset.together;
      } else if (side === s.side) {
        out.textContent = s.count.toLocaleString("en") + " songs selected (drag again to replace, Esc to clear)";
        out.dataset.selected = String(s.count); delete out.dataset.together;
      } else {
        const t = together(side, s.mask, s.w, s.h);
        out.textContent = "the same " + s.count.toLocaleString("en") + " songs: " +
          t.toLocaleString("en") + " (" + Math.round(100 * t / s.count) +
          " %) stay together in one box of the selection's size";
        out.dataset.selected = String(s.count); out.dataset.together = String(t);
      }
      const m = methods[state.method[side]], lit = [];
      if (s) for (let i = 0; i < n; i++) if (s.mask[i]) lit.push(m.tuples[i]);
      state.dom[side].base.style.opacity = s ? FADED : 1;
      state.tops[side].data("lit", lit);
    });
    return Promise.all(state.tops.map(run));
  }

  // --- chosen song and neighbours ----------------------------------------------------------
  function neighboursOf(song, methodIndex) {
    const m = methods[methodIndex], out = [];
    for (let j = 0; j < m.k; j++) {
      const at = song * m.k + j;
      out.push({song: m.neighbours[at], similar: (m.similar[at >> 3] >> (7 - (at & 7))) & 1});
    }
    return out;
  }

  function markedTuples(side) {
    if (state.chosen < 0) return [];
    const m = methods[state.method[side]];
    const ring = function (i, stroke, size, width) {
      return {i: i, x: m.x[i], y: m.y[i], stroke: stroke, size: size, width: width};
    };
    const out = neighboursOf(state.chosen, state.neighbourMethod).map(function (nb) {
      return ring(nb.song, "#e4007c", 150, 2);
    });
    out.push(ring(state.chosen, "#000", 260, 3));
    return out;
  }

  function centre(side, song) {
    const view = state.views[side], m = methods[state.method[side]];
    const whole = wholeDomain(m), xd = view.signal("xdom"), yd = view.signal("ydom");
    const zoom = Math.min(1, 0.45 * (whole[0][1] - whole[0][0]) / (xd[1] - xd[0]));
    const hw = zoom * (xd[1] - xd[0]) / 2, hh = zoom * (yd[1] - yd[0]) / 2;
    state.dom[side].brush.hidden = true;  // the box no longer frames what it selected
    setSignals(side, {xdom: [m.x[song] - hw, m.x[song] + hw], ydom: [m.y[song] - hh, m.y[song] + hh]});
  }

  function songLine(li, song) {
    li.dataset.song = String(song);
    li.appendChild(swatch(D.colours[genre[song]]));
    li.appendChild(el("span", "title", " " + titles[song]));
    li.appendChild(el("span", "artist", " — " + artistNames[artist[song]]));
    return li;
  }

  function showNeighbours() {
    const list = $("neighbours");
    list.textContent = "";
    if (state.chosen < 0) { $("chosen").textContent = "none yet: search, or click a point"; return; }
    const song = state.chosen;
    $("chosen").textContent = titles[song] + " — " + artistNames[artist[song]] + " (" + genreName(song) + ")";
    neighboursOf(song, state.neighbourMethod).forEach(function (nb) {
      const li = songLine(el("li", "neighbour"), nb.song);
      li.appendChild(el("span", "genre", " " + genreName(nb.song)));
      li.dataset.similar = String(nb.similar);
      if (nb.similar) {
        const star = el("span", "star", " ★");
        star.title = "the MSD lists this artist as similar to the chosen song's";
        li.appendChild(star);
      }
      list.appendChild(li);
    });
  }

  function choose(song) {
    state.chosen = song;
    showNeighbours();
    hideResults();
    [0, 1].forEach(function (side) {
      if (song >= 0) centre(side, song);
      state.tops[side].data("marked", markedTuples(side));
    });
    return Promise.all(state.views.concat(state.tops).map(run));
  }

  // --- search ------------------------------------------------------------------------------
  function search(query) {
    const q = fold(query.trim());
    if (!q) return [];
    const inTitle = [], inArtist = [];
    for (let i = 0; i < n; i++) {
      if (foldedTitles[i].includes(q)) inTitle.push(i);
      else if (foldedArtists[artist[i]].includes(q)) inArtist.push(i);
      if (inTitle.length >= MAX_RESULTS) break;
    }
    return inTitle.concat(inArtist).slice(0, MAX_RESULTS);
  }

  function hideResults() { $("results").hidden = true; }

  function showResults() {
    const found = search($("search").value), list = $("results");
    list.textContent = "";
    found.forEach(function (song, rank) {
      const li = songLine(el("li", rank === 0 ? "active" : ""), song);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(song); });
      list.appendChild(li);
    });
    if (!found.length && $("search").value.trim()) list.appendChild(el("li", "", "no song matches"));
    list.hidden = !list.childNodes.length;
  }

  // --- mouse on a map ----------------------------------------------------------------------
  function dataPoint(side, event) {
    const view = state.views[side], rect = state.dom[side].canvas.getBoundingClientRect();
    const px = event.clientX - rect.left - PAD, py = event.clientY - rect.top - PAD;
    return {px: px, py: py, x: view.scale("x").invert(px), y: view.scale("y").invert(py)};
  }

  function tooltip(event, song) {
    const tip = $("tooltip");
    if (song < 0) { tip.hidden = true; return; }
    tip.textContent = "";
    tip.appendChild(el("strong", "", titles[song]));
    tip.appendChild(el("div", "", artistNames[artist[song]]));
    const g = el("div", "genre");
    g.appendChild(swatch(D.colours[genre[song]]));
    g.appendChild(document.createTextNode(" " + genreName(song)));
    tip.appendChild(g);
    tip.style.left = (event.clientX + 14) + "px";
    tip.style.top = (event.clientY + 12) + "px";
    tip.hidden = false;
  }

  function wire(side) {
    const view = state.views[side], box = state.dom[side].brush;
    const target = state.dom[side].container;
    let drag = null;
    view.addEventListener("mousemove", function (event, item) {
      if (drag) return;
      tooltip(event, item && item.mark && item.mark.name === "dots" ? item.datum.i : -1);
    });
    view.addEventListener("mouseout", function () { $("tooltip").hidden = true; });
    target.addEventListener("mousedown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      drag = dataPoint(side, event);
    });
    window.addEventListener("mousemove", function (event) {
      if (!drag) return;
      const now = dataPoint(side, event);
      box.style.left = (PAD + Math.min(drag.px, now.px)) + "px";
      box.style.top = (PAD + Math.min(drag.py, now.py)) + "px";
      box.style.width = Math.abs(now.px - drag.px) + "px";
      box.style.height = Math.abs(now.py - drag.py) + "px";
      box.hidden = false;
      $("tooltip").hidden = true;
    });
    window.addEventListener("mouseup", function (event) {
      if (!drag) return;
      const start = drag, end = dataPoint(side, event);
      drag = null;
      if (Math.abs(end.px - start.px) < 4 && Math.abs(end.py - start.py) < 4) {
        box.hidden = true;
        const song = pick(side, start);
        if (song >= 0) choose(song);
        return;
      }
      state.dom[1 - side].brush.hidden = true;
      select(side, Math.min(start.x, end.x), Math.max(start.x, end.x),
        Math.min(start.y, end.y), Math.max(start.y, end.y));
    });
    target.addEventListener("wheel", function (event) {
      event.preventDefault();
      const at = dataPoint(side, event), f = event.deltaY > 0 ? 1.25 : 0.8;
      const xd = view.signal("xdom"), yd = view.signal("ydom");
      setSignals(side, {xdom: [at.x + (xd[0] - at.x) * f, at.x + (xd[1] - at.x) * f],
        ydom: [at.y + (yd[0] - at.y) * f, at.y + (yd[1] - at.y) * f]});
      state.dom[side].brush.hidden = true;
      both(side).forEach(run);
    }, {passive: false});
  }

  function pick(side, at) {  // the point nearest a click, within a few pixels
    const view = state.views[side], m = methods[state.method[side]];
    const sx = view.scale("x"), sy = view.scale("y");
    let best = -1, bestD = 64;  // 8 px
    for (let i = 0; i < n; i++) {
      const dx = sx(m.x[i]) - at.px, dy = sy(m.y[i]) - at.py, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  }

  // --- controls ------------------------------------------------------------------------------
  function legend() {
    const list = $("legend");
    list.textContent = "";
    if (state.colourBy === "genre") {
      const counts = new Array(D.colours.length).fill(0);
      for (let i = 0; i < n; i++) counts[genre[i]]++;
      D.colours.forEach(function (c, g) {
        if (!counts[g]) return;
        const li = el("li");
        li.appendChild(swatch(c));
        li.appendChild(el("span", "", (g < D.genres.length ? D.genres[g] : "(unlabelled)") +
          " (" + counts[g].toLocaleString("en") + ")"));
        list.appendChild(li);
      });
    } else if (state.colourBy === "cluster") {
      const k = Math.max(methods[state.method[0]].nClusters, methods[state.method[1]].nClusters);
      for (let c = 0; c < k; c++) {
        const li = el("li");
        li.appendChild(swatch(CYCLE[c % CYCLE.length]));
        li.appendChild(el("span", "", "cluster " + c));
        list.appendChild(li);
      }
      list.appendChild(el("li", "", "(each map's own K-Means clusters: the numbers do not match across maps)"));
    } else {
      list.appendChild(el("li", "", "one colour per artist (" + CYCLE.length +
        " colours, repeating): songs of one artist share a colour"));
    }
  }

  function methodOptions(select) {
    methods.forEach(function (m) {
      const option = el("option", "", m.title + "  (k-NN " + fmt(m.figures.knn_accuracy) + ")");
      option.value = m.name;
      select.appendChild(option);
    });
  }

  function clearAll() {
    state.selection = null;
    state.dom.forEach(function (d) { d.brush.hidden = true; });
    $("search").value = "";
    hideResults();
    showSelection();
    return choose(-1);
  }

  function init() {
    $("note").textContent = n.toLocaleString("en") + " songs: " + D.note + ".";
    ["map-left", "map-right"].forEach(function (id, side) {
      const container = $(id);
      const view = new vega.View(vega.parse(spec(false)), {renderer: "canvas",
        container: container.querySelector(".plot"), hover: false});
      state.views.push(view);
      state.tops.push(new vega.View(vega.parse(spec(true)), {renderer: "canvas",
        container: container.querySelector(".top"), hover: false}));
      state.dom.push({container: container, brush: container.querySelector(".brush"),
        base: container.querySelector(".plot"), canvas: null});
      const select = $(side ? "method-right" : "method-left");
      methodOptions(select);
      select.addEventListener("change", function () {
        state.method[side] = byName[select.value];
        if (state.selection && state.selection.side === side) state.dom[side].brush.hidden = true;
        showMethod(side);
        if (state.chosen >= 0) centre(side, state.chosen);
        showSelection();
        if (state.colourBy === "cluster") legend();
      });
    });
    const nbSelect = $("neighbour-method");
    methodOptions(nbSelect);
    nbSelect.value = methods[state.neighbourMethod].name;
    nbSelect.addEventListener("change", function () {
      state.neighbourMethod = byName[nbSelect.value];
      choose(state.chosen);
    });
    $("search").addEventListener("input", showResults);
    $("search").addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        const first = search($("search").value);
        if (first.length) choose(first[0]);
      } else if (event.key === "Escape") hideResults();
    });
    $("search").addEventListener("blur", function () { setTimeout(hideResults, 150); });
    $("colour-by").addEventListener("change", function (event) {
      state.colourBy = event.target.value;
      [0, 1].forEach(function (side) {
        const c = colourSignals(side);
        setSignals(side, {pal: c.pal, col: c.col});
        both(side).forEach(run);
      });
      legend();
    });
    $("clear").addEventListener("click", clearAll);
    $("reset").addEventListener("click", function () {
      [0, 1].forEach(function (side) {
        const dom = wholeDomain(methods[state.method[side]]);
        setSignals(side, {xdom: dom[0], ydom: dom[1]});
        state.dom[side].brush.hidden = true;
        both(side).forEach(run);
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.activeElement !== $("search")) clearAll();
    });
    legend();
    [0, 1].forEach(showMethod);
    state.pending.then(function () {
      state.dom.forEach(function (d) { d.canvas = d.container.querySelector("canvas"); });
      [0, 1].forEach(wire);
      window.explorerReadyMs = performance.now();
      document.body.dataset.ready = "1";
    });
  }

  // For tests and benchmarks: the state, and a promise that resolves once every view is drawn.
  window.explorer = {state: state, choose: choose, search: search,
    idle: function () { return state.pending; }};
  init();
})();

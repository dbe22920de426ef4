// kgx dashboard: vanilla JS, no network. Corpus text reaches the page only through
// textContent (and canvas fillText); nothing from the data is ever parsed as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = ["#2f6fed", "#e8590c", "#2b8a3e", "#c2255c", "#7048e8", "#0c8599", "#e67700", "#5c940d", "#a61e4d", "#364fc7"];
  var MAX_ROWS = 500;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  var data = JSON.parse(document.getElementById("kgx-data").textContent);
  var state = {
    view: "entities", sortKey: "rank", sortDir: 1, filter: "", type: "",
    selected: [], focus: null, colors: {}
  };
  var byId = {};
  ["entities", "topics"].forEach(function (view) {
    data[view].forEach(function (s, i) { s.rank = i + 1; byId[s.id] = s; });
  });

  function rows() { return data[state.view]; }

  // ---- summary -------------------------------------------------------------------------
  function renderSummary() {
    var s = data.summary;
    var parts = [s.articles + " articles", s.entities + " entities", s.topics + " topics", s.mentions + " mentions"];
    if (s.first_date && s.last_date) parts.push(s.first_date + " \u2013 " + s.last_date);
    document.getElementById("summary").textContent = parts.join(" \u00b7 ");
  }

  // ---- table ---------------------------------------------------------------------------
  function renderTypes() {
    var select = document.getElementById("type-filter");
    while (select.options.length > 1) select.remove(1);
    var seen = {};
    rows().forEach(function (s) { seen[s.type] = (seen[s.type] || 0) + 1; });
    Object.keys(seen).sort().forEach(function (t) {
      select.appendChild(el("option", { value: t }, t + " (" + seen[t] + ")"));
    });
    select.value = "";
    state.type = "";
  }

  function compare(a, b) {
    var k = state.sortKey, x = a[k], y = b[k];
    if (x === null || x === undefined) x = "";
    if (y === null || y === undefined) y = "";
    var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    if (c === 0) c = a.rank - b.rank;
    return c * state.sortDir;
  }

  function renderTable() {
    var tbody = document.querySelector("#ranking tbody");
    clear(tbody);
    var needle = state.filter.toLowerCase();
    var list = rows().filter(function (s) {
      if (state.type && s.type !== state.type) return false;
      return !needle || s.label.toLowerCase().indexOf(needle) >= 0 || s.id.toLowerCase().indexOf(needle) >= 0;
    });
    list.sort(compare);
    list.slice(0, MAX_ROWS).forEach(function (s) {
      var tr = el("tr");
      tr.dataset.id = s.id;
      if (state.selected.indexOf(s.id) >= 0) tr.className = "selected";
      if (state.focus === s.id) tr.className += " focused";
      var name = el("td");
      if (state.colors[s.id]) name.appendChild(el("span", { "class": "swatch", style: "background:" + state.colors[s.id] }));
      name.appendChild(document.createTextNode(s.label));
      tr.appendChild(el("td", { "class": "num" }, s.rank));
      tr.appendChild(name);
      tr.appendChild(el("td", null, s.type));
      tr.appendChild(el("td", { "class": "num" }, s.mentions));
      tr.appendChild(el("td", { "class": "num" }, s.articles));
      tr.appendChild(el("td", null, s.first_seen || ""));
      tr.appendChild(el("td", null, s.last_seen || ""));
      tr.addEventListener("click", function () { toggle(s.id); });
      tbody.appendChild(tr);
    });
    var shown = Math.min(list.length, MAX_ROWS);
    document.getElementById("count").textContent =
      shown < list.length ? shown + " of " + list.length + " shown" : list.length + " shown";
    document.querySelectorAll("#ranking th").forEach(function (th) {
      th.classList.remove("sorted-asc", "sorted-desc");
      if (th.dataset.key === state.sortKey) th.classList.add(state.sortDir > 0 ? "sorted-asc" : "sorted-desc");
    });
  }

  function assignColors() {
    var used = {};
    state.selected.forEach(function (id) { if (state.colors[id]) used[state.colors[id]] = true; });
    Object.keys(state.colors).forEach(function (id) { if (state.selected.indexOf(id) < 0) delete state.colors[id]; });
    state.selected.forEach(function (id) {
      if (state.colors[id]) return;
      var free = COLORS.filter(function (c) { return !used[c]; });
      state.colors[id] = free.length ? free[0] : COLORS[Object.keys(state.colors).length % COLORS.length];
      used[state.colors[id]] = true;
    });
  }

  function toggle(id) {
    var i = state.selected.indexOf(id);
    if (i >= 0 && state.focus === id) state.selected.splice(i, 1);
    else if (i < 0) state.selected.push(id);
    state.focus = id;
    assignColors();
    renderTable();
    renderTrend();
    renderDetail();
    drawNetwork();
  }

  function focus(id) {
    if (state.selected.indexOf(id) < 0) state.selected.push(id);
    state.focus = id;
    assignColors();
    renderTable();
    renderTrend();
    renderDetail();
    drawNetwork();
  }

  // ---- trend chart ---------------------------------------------------------------------
  function renderTrend() {
    var chart = document.getElementById("trend");
    var legend = document.getElementById("legend");
    clear(chart);
    clear(legend);
    var months = data.months;
    var W = 640, H = 260, L = 44, R = 12, T = 10, B = 28;
    if (!months.length) {
      chart.appendChild(svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "No dated articles"));
      return;
    }
    var series = state.selected.map(function (id) { return byId[id]; }).filter(Boolean);
    var max = 1;
    series.forEach(function (s) { months.forEach(function (m) { max = Math.max(max, s.monthly[m] || 0); }); });
    var x = function (i) { return L + (months.length === 1 ? (W - L - R) / 2 : i * (W - L - R) / (months.length - 1)); };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    var axis = { stroke: "#d0d5dd", "stroke-width": 1 };
    chart.appendChild(svg("line", Object.assign({ x1: L, y1: y(0), x2: W - R, y2: y(0) }, axis)));
    var step = Math.pow(10, Math.floor(Math.log10(max)));
    if (max / step < 3) step /= 2;
    step = Math.max(1, step);
    for (var v = 0; v <= max; v += step) {
      chart.appendChild(svg("line", { x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: "#f0f2f5" }));
      chart.appendChild(svg("text", { x: L - 6, y: y(v) + 3, "text-anchor": "end" }, Math.round(v)));
    }
    var every = Math.max(1, Math.ceil(months.length / 8));
    months.forEach(function (m, i) {
      if (i % every) return;
      var anchor = months.length > 1 && i === 0 ? "start" : i === months.length - 1 && months.length > 1 ? "end" : "middle";
      chart.appendChild(svg("text", { x: x(i), y: H - 10, "text-anchor": anchor }, m));
    });
    series.forEach(function (s) {
      var color = state.colors[s.id] || COLORS[0];
      var points = months.map(function (m, i) { return x(i).toFixed(1) + "," + y(s.monthly[m] || 0).toFixed(1); });
      var line = svg("polyline", { points: points.join(" "), fill: "none", stroke: color,
        "stroke-width": s.id === state.focus ? 2.5 : 1.5, "stroke-linejoin": "round" });
      line.appendChild(svg("title", null, s.label));
      chart.appendChild(line);
      months.forEach(function (m, i) {
        if (!s.monthly[m]) return;
        var dot = svg("circle", { cx: x(i), cy: y(s.monthly[m]), r: 2.5, fill: color });
        dot.appendChild(svg("title", null, s.label + " " + m + ": " + s.monthly[m]));
        chart.appendChild(dot);
      });
      var item = el("span");
      item.appendChild(el("span", { "class": "swatch", style: "background:" + color }));
      item.appendChild(document.createTextNode(s.label));
      legend.appendChild(item);
    });
    if (!series.length) legend.appendChild(el("span", { "class": "muted" }, "Select rows to compare their trends."));
  }

  // ---- co-occurrence network -----------------------------------------------------------
  var net = { nodes: [], edges: [], drag: null, hover: null, running: false };

  function setupNetwork() {
    var canvas = document.getElementById("network");
    var W = canvas.width, H = canvas.height;
    var maxMentions = 1;
    net.nodes = data.network.nodes.map(function (id, i) {
      var s = byId[id] || { id: id, label: id, mentions: 1 };
      maxMentions = Math.max(maxMentions, s.mentions);
      var angle = i * 2.399963;
      var r = 12 * Math.sqrt(i + 1);
      return { id: id, label: s.label, mentions: s.mentions, x: W / 2 + r * Math.cos(angle), y: H / 2 + r * Math.sin(angle), vx: 0, vy: 0 };
    });
    net.nodes.forEach(function (n) { n.r = 4 + 12 * Math.sqrt(n.mentions / maxMentions); });
    var maxW = 1;
    data.network.edges.forEach(function (e) { maxW = Math.max(maxW, e[2]); });
    net.edges = data.network.edges.map(function (e) { return { a: net.nodes[e[0]], b: net.nodes[e[1]], w: e[2] / maxW }; })
      .filter(function (e) { return e.a && e.b; });
    // Settle the layout before the first frame so the page is readable at once.
    for (var i = 0; i < 400; i++) tick(1 - i / 400);
    drawNetwork();

    function at(ev) {
      var rect = canvas.getBoundingClientRect();
      var px = (ev.clientX - rect.left) * canvas.width / rect.width;
      var py = (ev.clientY - rect.top) * canvas.height / rect.height;
      var best = null, bestD = Infinity;
      net.nodes.forEach(function (n) {
        var d = Math.hypot(n.x - px, n.y - py);
        if (d < n.r + 4 && d < bestD) { best = n; bestD = d; }
      });
      return { node: best, x: px, y: py, cx: ev.clientX - rect.left, cy: ev.clientY - rect.top };
    }
    var moved = false;
    canvas.addEventListener("mousedown", function (ev) {
      var hit = at(ev);
      if (hit.node) { net.drag = hit.node; moved = false; canvas.style.cursor = "grabbing"; }
    });
    window.addEventListener("mouseup", function () {
      if (net.drag && !moved) focus(net.drag.id);
      if (net.drag) { net.drag.fixed = true; net.drag = null; canvas.style.cursor = "grab"; }
    });
    canvas.addEventListener("mousemove", function (ev) {
      var hit = at(ev);
      if (net.drag) {
        moved = true;
        net.drag.x = hit.x; net.drag.y = hit.y;
        animate();
      }
      var tip = document.getElementById("tooltip");
      var node = net.drag || hit.node;
      if (node !== net.hover) { net.hover = node; drawNetwork(); }
      if (node) {
        tip.hidden = false;
        tip.textContent = node.label + " \u00b7 " + node.mentions + " mentions";
        tip.style.left = (hit.cx + 12) + "px";
        tip.style.top = (hit.cy + 8) + "px";
      } else {
        tip.hidden = true;
      }
    });
    canvas.addEventListener("mouseleave", function () {
      document.getElementById("tooltip").hidden = true;
      net.hover = null;
      drawNetwork();
    });
  }

  function tick(alpha) {
    var canvas = document.getElementById("network");
    var W = canvas.width, H = canvas.height, nodes = net.nodes;
    for (var i = 0; i < nodes.length; i++) {
      for (var j = i + 1; j < nodes.length; j++) {
        var a = nodes[i], b = nodes[j];
        var dx = b.x - a.x, dy = b.y - a.y, d2 = dx * dx + dy * dy + 0.01;
        var f = 1500 / d2;
        var d = Math.sqrt(d2);
        a.vx -= f * dx / d; a.vy -= f * dy / d;
        b.vx += f * dx / d; b.vy += f * dy / d;
      }
    }
    net.edges.forEach(function (e) {
      var dx = e.b.x - e.a.x, dy = e.b.y - e.a.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
      var f = (d - 50) * 0.03 * (0.4 + e.w);
      e.a.vx += f * dx / d; e.a.vy += f * dy / d;
      e.b.vx -= f * dx / d; e.b.vy -= f * dy / d;
    });
    nodes.forEach(function (n) {
      n.vx += (W / 2 - n.x) * 0.005; n.vy += (H / 2 - n.y) * 0.012;
      if (n === net.drag || n.fixed) { n.vx = 0; n.vy = 0; return; }
      n.x += Math.max(-20, Math.min(20, n.vx * alpha));
      n.y += Math.max(-20, Math.min(20, n.vy * alpha));
      n.vx *= 0.5; n.vy *= 0.5;
      n.x = Math.max(n.r, Math.min(W - n.r, n.x));
      n.y = Math.max(n.r, Math.min(H - n.r, n.y));
    });
  }

  function animate() {
    if (net.running) return;
    net.running = true;
    var frames = 0;
    (function step() {
      tick(0.3);
      drawNetwork();
      if (++frames < 60 || net.drag) requestAnimationFrame(step);
      else net.running = false;
    })();
  }

  function drawNetwork() {
    var canvas = document.getElementById("network");
    var ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!net.nodes.length) {
      ctx.fillStyle = "#667085";
      ctx.font = "13px sans-serif";
      ctx.fillText("No co-occurring entities", 20, 30);
      return;
    }
    var near = {};
    var center = net.hover || (state.focus && net.nodes.filter(function (n) { return n.id === state.focus; })[0]);
    net.edges.forEach(function (e) {
      var lit = center && (e.a === center || e.b === center);
      if (lit) { near[e.a.id] = true; near[e.b.id] = true; }
      ctx.strokeStyle = lit ? "rgba(47,111,237,0.8)" : "rgba(102,112,133," + (0.12 + 0.4 * e.w).toFixed(2) + ")";
      ctx.lineWidth = 0.5 + 3 * e.w;
      ctx.beginPath(); ctx.moveTo(e.a.x, e.a.y); ctx.lineTo(e.b.x, e.b.y); ctx.stroke();
    });
    ctx.font = '11px system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
    ctx.textAlign = "center";
    net.nodes.forEach(function (n, i) {
      var color = state.colors[n.id] || (center && near[n.id] ? "#7aa2f7" : "#9aa4b2");
      ctx.fillStyle = color;
      ctx.beginPath(); ctx.arc(n.x, n.y, n.r, 0, 2 * Math.PI); ctx.fill();
      if (n === center) { ctx.strokeStyle = "#1f2328"; ctx.lineWidth = 2; ctx.stroke(); }
      if (i < 12 || n === center || near[n.id] || state.colors[n.id]) {
        ctx.fillStyle = "#1f2328";
        ctx.fillText(n.label, n.x, n.y - n.r - 3);
      }
    });
  }

  // ---- detail --------------------------------------------------------------------------
  function renderDetail() {
    var s = byId[state.focus];
    var title = document.getElementById("detail-title");
    var meta = document.getElementById("detail-meta");
    var co = document.getElementById("detail-co");
    var posts = document.getElementById("detail-posts");
    clear(co); clear(posts);
    if (!s) { title.textContent = "Nothing selected"; meta.textContent = ""; return; }
    title.textContent = s.label;
    var seen = s.first_seen ? " \u00b7 " + s.first_seen + " \u2013 " + (s.last_seen || "") : "";
    meta.textContent = s.type + " \u00b7 " + s.id + " \u00b7 " + s.mentions + " mentions in " + s.articles + " articles" + seen;
    if (s.co_occurring.length) {
      co.appendChild(el("span", { "class": "muted" }, "Occurs with: "));
      s.co_occurring.forEach(function (c) {
        var id = c[0], other = byId[id];
        var label = other ? other.label : (data.labels[id] || id);
        var chip = el("span", { "class": "chip", title: id }, label + " (" + c[1] + ")");
        chip.addEventListener("click", function () { if (byId[id]) focus(id); });
        co.appendChild(chip);
      });
    }
    s.mentioned_in.forEach(function (m) {
      var a = data.articles[m[0]], id = a[0], title = a[1], date = a[2];
      var li = el("li");
      li.appendChild(el("strong", null, title));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", { "class": "path" }, (date ? date + " \u00b7 " : "") + id + " \u00b7 " + m[1] + "\u00d7"));
      if (m[2].length) {
        var ul = el("ul", { "class": "headings" });
        m[2].forEach(function (sec) {
          ul.appendChild(el("li", null, (sec[0] || "(lead)") + (sec[1] > 1 ? " \u00d7" + sec[1] : "")));
        });
        if (m[3]) ul.appendChild(el("li", { "class": "muted" }, "+" + m[3] + " more sections"));
        li.appendChild(ul);
      }
      posts.appendChild(li);
    });
    if (s.articles > s.mentioned_in.length) {
      posts.appendChild(el("li", { "class": "muted" }, (s.articles - s.mentioned_in.length) + " more articles (report.json lists up to 500)"));
    }
  }

  // ---- wiring --------------------------------------------------------------------------
  function resetSelection() {
    state.selected = rows().slice(0, 5).map(function (s) { return s.id; });
    state.focus = state.selected.length ? state.selected[0] : null;
    state.colors = {};
    assignColors();
  }

  document.getElementById("view").addEventListener("change", function (ev) {
    state.view = ev.target.value;
    state.sortKey = "rank"; state.sortDir = 1;
    renderTypes();
    resetSelection();
    renderTable(); renderTrend(); renderDetail(); drawNetwork();
  });
  document.getElementById("filter").addEventListener("input", function (ev) { state.filter = ev.target.value; renderTable(); });
  document.getElementById("type-filter").addEventListener("change", function (ev) { state.type = ev.target.value; renderTable(); });
  document.querySelectorAll("#ranking th").forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.dataset.key;
      if (state.sortKey === key) state.sortDir = -state.sortDir;
      else { state.sortKey = key; state.sortDir = key === "mentions" || key === "articles" ? -1 : 1; }
      renderTable();
    });
  });

  try {
    renderSummary();
    renderTypes();
    resetSelection();
    renderTable();
    renderTrend();
    setupNetwork();
    renderDetail();
    document.body.setAttribute("data-kgx-ready", "1");
  } catch (err) {
    document.body.setAttribute("data-kgx-error", String(err && err.message || err));
    document.getElementById("summary").textContent = "The dashboard failed to render: " + err;
    throw err;
  }
})();

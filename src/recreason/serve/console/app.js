// recreason operator console: plain JS, no libraries, every value written with textContent (no HTML injection).
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const COLORS = { ctr: "#1f77b4", cvr: "#d62728" };

function key() { return sessionStorage.getItem("recreason-admin-key") || ""; }

async function api(path) {
  const res = await fetch(path, { headers: { "X-API-Key": key() } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status}: ${body.detail || res.statusText}`);
  return body;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function showError(id, err) { const p = $(id); p.textContent = err ? String(err.message || err) : ""; p.hidden = !err; }

function pct(x) { return x === null || x === undefined ? "–" : (100 * x).toFixed(2) + "%"; }

// -- tabs and key -------------------------------------------------------------------------------
for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t === tab);
    for (const p of document.querySelectorAll(".panel")) p.hidden = p.id !== "panel-" + tab.dataset.panel;
    if (tab.dataset.panel === "experiments" && $("exp-select").value) showExperiment();
  });
}

$("key-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("recreason-admin-key", $("key").value.trim());
  $("key").value = "";
  await loadLists();
});

async function loadLists() {
  if (!key()) return;
  try {
    const [users, exps] = await Promise.all([api("/v1/admin/users?limit=100"), api("/v1/experiments")]);
    fill($("user-select"), users.map((u) => [u, u]), "(pick a user)");
    fill($("exp-select"), exps.map((e) => [e.name, e.name + (e.default ? " (default)" : "")]));
    const def = exps.find((e) => e.default);
    if (def) $("exp-select").value = def.name;
    $("key-status").textContent = "key accepted";
  } catch (err) {
    $("key-status").textContent = "key refused (" + err.message + ")";
  }
}

function fill(select, options, placeholder) {
  select.replaceChildren();
  if (placeholder) select.append(new Option(placeholder, ""));
  for (const [value, label] of options) select.append(new Option(label, value));
}

// -- users ---------------------------------------------------------------------------------------
$("user-select").addEventListener("change", () => { if ($("user-select").value) showUser(); });
$("user-form").addEventListener("submit", (ev) => { ev.preventDefault(); showUser(); });

async function showUser() {
  const user = $("user-input").value.trim() || $("user-select").value;
  if (!user) return showError("user-error", new Error("pick a user or type an id"));
  const q = new URLSearchParams({ k: $("k").value || "10" });
  if ($("lang").value) q.set("lang", $("lang").value);
  try {
    const [profile, recs] = await Promise.all([
      api(`/v1/admin/users/${encodeURIComponent(user)}/profile`),
      api(`/v1/users/${encodeURIComponent(user)}/recommendations?${q}`),
    ]);
    renderProfile(user, profile);
    renderRecs(recs);
    showError("user-error", null);
    $("user-view").hidden = false;
  } catch (err) { showError("user-error", err); }
}

function chips(title, items, negative) {
  const div = el("div", null, "chips");
  div.append(el("b", title + ": "));
  if (!items.length) div.append(el("i", "none", "muted"));
  for (const [text, neg] of items) div.append(el("span", text, neg ? "neg" : ""));
  return div;
}

function renderProfile(user, p) {
  $("profile-user").textContent = `${user} · ${p.n_events} events · ${p.language}` + (p.known ? "" : " · unknown user (cold start)");
  $("profile-summary").textContent = p.summary || "(no history)";
  $("profile-detail").replaceChildren(
    chips("categories", p.categories.map((c) => [`${c.name} ${c.weight.toFixed(1)}`])),
    chips("aspects", p.aspects.map((a) => [`${a.feature} ${a.sentiment >= 0 ? "+" : ""}${a.sentiment.toFixed(2)}`, a.sentiment < 0])),
    chips("attributes", p.attributes.slice(0, 6).map((a) => [`${a.key}=${a.value}`])),
    chips("interests", p.interests.map((i) => [i])),
  );
}

function renderRecs(r) {
  $("experiment-name").textContent = r.experiment;
  $("variant").textContent = `${r.variant} (${r.strategy})`;
  $("rec-source").textContent = r.source;
  const list = $("recs");
  list.replaceChildren();
  for (const it of r.items) {
    const li = el("li", null, "rec");
    li.append(el("div", `${it.title || it.item_id}`, "rec-title"));
    li.append(el("div", `${it.item_id} · score ${it.score.toFixed(3)}`, "meta"));
    if (!it.reason) {
      li.append(el("p", r.strategy === "none"
        ? "no reason shown (this variant is the no-reason arm)"
        : "no reason shown (no candidate passed the guard)", "reason none"));
    } else {
      const rs = it.reason;
      li.append(el("p", rs.text, "reason"));
      li.append(el("div", `generator ${rs.generator} · ${rs.path} · ${rs.source}` + (rs.notes.length ? " · " + rs.notes.join("; ") : ""), "meta"));
      const ev = el("div", null, "evidence");
      ev.append(el("b", "user: "), document.createTextNode(rs.evidence.user_signals.map((f) => `${f.key}=${f.value}`).join(", ") || "–"));
      ev.append(el("b", "  item: "), document.createTextNode(rs.evidence.item_facts.map((f) => `${f.key}=${f.value}`).join(", ") || "–"));
      li.append(ev);
    }
    list.append(li);
  }
}

// -- experiments ----------------------------------------------------------------------------------
$("exp-form").addEventListener("submit", (ev) => { ev.preventDefault(); showExperiment(); });
$("exp-select").addEventListener("change", () => showExperiment());

async function showExperiment() {
  const name = $("exp-select").value;
  if (!name) return showError("exp-error", new Error("enter the admin key, then pick an experiment"));
  try {
    const rep = await api(`/v1/experiments/${encodeURIComponent(name)}`);
    $("exp-description").textContent = rep.description;
    $("exp-confidence").textContent = Math.round(rep.confidence * 100) + "%";
    renderTable(rep);
    renderChart(rep);
    $("caveats").replaceChildren(...rep.caveats.map((c) => el("li", c)));
    showError("exp-error", null);
    $("exp-view").hidden = false;
  } catch (err) { showError("exp-error", err); }
}

function renderTable(rep) {
  const body = $("exp-table").querySelector("tbody");
  body.replaceChildren();
  for (const v of rep.variants) {
    const tr = el("tr");
    const p = (x) => (x === null ? "–" : x.toFixed(3));
    const lift = (x) => (x === null ? "–" : (x >= 0 ? "+" : "") + (100 * x).toFixed(1) + "%");
    const cells = [v.variant + (v.control ? " (control)" : ""), v.strategy, v.impressions, v.clicks, v.purchases,
      `${pct(v.ctr.rate)} [${pct(v.ctr.ci_low)}, ${pct(v.ctr.ci_high)}]`, lift(v.ctr.lift), p(v.ctr.p_value),
      `${pct(v.cvr.rate)} [${pct(v.cvr.ci_low)}, ${pct(v.cvr.ci_high)}]`, lift(v.cvr.lift), p(v.cvr.p_value),
      Object.values(v.unattributed || {}).reduce((a, b) => a + b, 0)];
    for (const c of cells) tr.append(el("td", String(c)));
    body.append(tr);
  }
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// The smallest of 1, 2, 4, 6, 8, 10 x 10^n at or above x (so the four grid steps are round numbers).
function niceTop(x) {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 4, 6, 8, 10]) if (m * p >= x - 1e-12) return m * p;
  return 10 * p;
}

// Two panels (CTR, CVR); per variant a bar at the rate and a whisker over its interval.
function renderChart(rep) {
  const W = 460, H = 260, M = { l: 52, r: 12, t: 26, b: 34 };
  const root = svg("svg", { width: 2 * W, height: H, viewBox: `0 0 ${2 * W} ${H}`, role: "img", id: "exp-svg" });
  ["ctr", "cvr"].forEach((metric, panel) => {
    const g = svg("g", { transform: `translate(${panel * W},0)`, class: "panel-" + metric });
    const top = niceTop(Math.max(0.01, ...rep.variants.map((v) => (v.impressions ? v[metric].ci_high : 0))));
    const y = (x) => M.t + (H - M.t - M.b) * (1 - x / top);
    const band = (W - M.l - M.r) / rep.variants.length;
    g.append(svg("text", { x: M.l, y: 16, "font-size": 13, "font-weight": "bold" }, metric.toUpperCase()));
    for (let i = 0; i <= 4; i++) {
      const v = (top * i) / 4;
      g.append(svg("line", { x1: M.l, x2: W - M.r, y1: y(v), y2: y(v), stroke: "#e2e8f0" }));
      g.append(svg("text", { x: M.l - 6, y: y(v) + 4, "font-size": 11, "text-anchor": "end" }, pct(v)));
    }
    rep.variants.forEach((v, i) => {
      const cx = M.l + band * (i + 0.5), s = v[metric];
      if (v.impressions && s.rate !== null) {
        g.append(svg("rect", { x: cx - band * 0.25, y: y(s.rate), width: band * 0.5, height: y(0) - y(s.rate),
          fill: COLORS[metric], class: "bar", "data-variant": v.variant }));
        g.append(svg("line", { x1: cx, x2: cx, y1: y(s.ci_low), y2: y(s.ci_high), stroke: "#1a202c", "stroke-width": 2, class: "whisker" }));
        for (const e of [s.ci_low, s.ci_high]) g.append(svg("line", { x1: cx - 8, x2: cx + 8, y1: y(e), y2: y(e), stroke: "#1a202c", "stroke-width": 2 }));
      } else {
        g.append(svg("text", { x: cx, y: y(0) - 8, "font-size": 11, "text-anchor": "middle", fill: "#718096" }, "no data"));
      }
      g.append(svg("text", { x: cx, y: H - M.b + 16, "font-size": 12, "text-anchor": "middle" }, v.variant));
    });
    g.append(svg("line", { x1: M.l, x2: W - M.r, y1: y(0), y2: y(0), stroke: "#4a5568" }));
    root.append(g);
  });
  $("exp-chart").replaceChildren(root);
}

loadLists();

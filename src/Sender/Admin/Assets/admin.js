// Admin console enhancements (external file: CSP script-src 'self'). Everything works without it; it adds
// live progress of sending editions (polls /admin/editions/{id}/progress.json: every 2 s, or as often as its answer's
// pollSeconds says for a large edition, where each answer costs the database more) and a ticking countdown.
(function () {
  "use strict";
  var PARTS = ["sent", "deferred", "failed", "skipped"];

  function share(n, total) { return total > 0 ? Math.round(10000 * n / total) / 100 : 0; }

  function update(el, p) {
    var x = 0;
    PARTS.forEach(function (part) {
      var rect = el.querySelector('rect[data-part="' + part + '"]');
      var w = share(p[part], p.total);
      if (rect) { rect.setAttribute("x", String(x)); rect.setAttribute("width", String(w)); }
      x += w;
    });
    ["sent", "deferred", "failed", "pending", "skipped", "state"].forEach(function (f) {
      var node = el.querySelector('[data-field="' + f + '"]');
      if (node) node.textContent = f === "state" ? p.state : Number(p[f]).toLocaleString("en-US");
    });
    var pct = el.querySelector('[data-field="percent"]');
    if (pct) pct.textContent = p.percent + " %";
    var svg = el.querySelector("svg");
    if (svg) svg.setAttribute("aria-label", p.percent + " % done: " + p.sent + " sent, " + p.deferred + " deferred, " + p.failed + " failed, " + p.pending + " pending");
    el.setAttribute("data-state", p.state);
    var badge = el.closest("li, tr, section");
    badge = badge && badge.querySelector(".badge");
    if (badge && badge.textContent !== p.state) { badge.textContent = p.state; badge.className = "badge s-" + p.state; }
  }

  function poll(el) {
    var url = el.getAttribute("data-progress-url");
    function next(seconds) { setTimeout(tick, 1000 * (seconds > 0 ? seconds : 2)); }
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (p) {
          update(el, p);
          if (p.done) {
            el.setAttribute("data-done", "true");
            if (el.getAttribute("data-reload-when-done") === "true") window.location.reload();
            return;
          }
          next(p.pollSeconds);
        })
        .catch(function () { next(2); /* keep polling: a blip should not freeze the bar */ });
    }
    tick();
  }

  function countdown(el) {
    var at = Date.parse(el.getAttribute("data-countdown"));
    function render() {
      var s = Math.max(0, Math.round((at - Date.now()) / 1000));
      var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
      el.textContent = s === 0 ? "now" : "in " + (d > 0 ? d + " d " + h + " h " + m + " min" : h > 0 ? h + " h " + m + " min" : m + " min " + sec + " s");
    }
    render();
    setInterval(render, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-progress-url]"), poll);
    Array.prototype.forEach.call(document.querySelectorAll("[data-countdown]"), countdown);
  });
})();

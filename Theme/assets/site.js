// vizsite theme script: drawer navigation, table-of-contents highlight, full-size
// figures, client-side search, and links that work from file://. No external requests.
(function () {
  "use strict";

  // Pretty URLs end in "/": a web server serves index.html, a file:// page needs it spelled out.
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (!/^[a-z]+:|^\/\/|^#/.test(href) && /(^|\/)(#.*)?$/.test(href.split("?")[0]) ) {
        a.setAttribute("href", href.replace(/(#.*)?$/, function (hash) { return "index.html" + (hash || ""); }));
      }
    });
  }

  var toggle = document.querySelector(".nav-toggle"), sidebar = document.getElementById("sidebar");
  if (toggle && sidebar) {
    toggle.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && sidebar.classList.contains("open")) { sidebar.classList.remove("open"); toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
    });
  }

  // Highlight the section being read in the table of contents.
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a"));
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.hash.slice(1))] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && byId[entry.target.id]) {
          tocLinks.forEach(function (a) { a.classList.remove("active"); });
          byId[entry.target.id].classList.add("active");
        }
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) { var h = document.getElementById(id); if (h) observer.observe(h); });
  }

  // Figures open full-size in a dialog.
  document.addEventListener("click", function (e) {
    var img = e.target.closest && e.target.closest("figure.viz img");
    if (!img || typeof HTMLDialogElement === "undefined") return;
    var dialog = document.createElement("dialog");
    dialog.className = "zoom";
    var big = document.createElement("img");
    big.src = img.src; big.alt = img.alt;
    var scale = Math.max(1, Math.floor(Math.min(window.innerWidth * 0.9 / img.naturalWidth, window.innerHeight * 0.8 / img.naturalHeight)));
    big.width = img.naturalWidth * scale; big.height = img.naturalHeight * scale;
    var caption = document.createElement("p");
    caption.textContent = img.alt + " — click or press Escape to close";
    dialog.appendChild(big); dialog.appendChild(caption);
    dialog.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  });

  // Search: the index is a script (so it loads from file:// too), fetched on first use.
  var input = document.getElementById("search-input"), results = document.getElementById("search-results");
  if (!input || !results) return;
  var loading = false;
  function load(then) {
    if (window.VIZSITE_SEARCH) return then();
    if (loading) return;
    loading = true;
    var s = document.createElement("script");
    s.src = input.getAttribute("data-index");
    s.onload = then;
    document.head.appendChild(s);
  }
  function escapeHTML(t) { return t.replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  function snippet(text, terms) {
    var lower = text.toLowerCase(), at = -1;
    terms.forEach(function (t) { var i = lower.indexOf(t); if (i >= 0 && (at < 0 || i < at)) at = i; });
    if (at < 0) return "";
    var start = Math.max(0, at - 60), piece = text.slice(start, at + 120);
    var html = escapeHTML(piece);
    terms.forEach(function (t) { html = html.replace(new RegExp("(" + t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "ig"), "<mark>$1</mark>"); });
    return (start > 0 ? "…" : "") + html + "…";
  }
  function search() {
    var query = input.value.trim().toLowerCase();
    if (!query) { results.hidden = true; results.innerHTML = ""; return; }
    var terms = query.split(/\s+/).filter(Boolean), root = input.getAttribute("data-root");
    var scored = (window.VIZSITE_SEARCH || []).map(function (page) {
      var score = 0, title = page.title.toLowerCase(), text = page.text.toLowerCase(), anchor = "";
      terms.forEach(function (t) {
        if (title.indexOf(t) >= 0) score += 10;
        page.headings.forEach(function (h) { if (h.text.toLowerCase().indexOf(t) >= 0) { score += 4; if (!anchor) anchor = "#" + h.id; } });
        var n = text.split(t).length - 1; score += Math.min(n, 10);
        if (n === 0 && title.indexOf(t) < 0) score -= 100;
      });
      return { page: page, score: score, anchor: anchor };
    }).filter(function (r) { return r.score > 0; }).sort(function (a, b) { return b.score - a.score; }).slice(0, 8);
    results.innerHTML = scored.length ? scored.map(function (r) {
      return '<li><a href="' + root + r.page.url + r.anchor + '">' + escapeHTML(r.page.title) + "<small>" + snippet(r.page.text, terms) + "</small></a></li>";
    }).join("") : "<li><small>No lesson mentions “" + escapeHTML(query) + "”.</small></li>";
    results.hidden = false;
  }
  input.addEventListener("focus", function () { load(function () {}); });
  input.addEventListener("input", function () { load(search); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; search(); input.blur(); }
    if (e.key === "ArrowDown") { var first = results.querySelector("a"); if (first) { e.preventDefault(); first.focus(); } }
  });
  document.addEventListener("click", function (e) { if (!e.target.closest(".search")) results.hidden = true; });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== input && !/input|textarea/i.test(document.activeElement.tagName)) { e.preventDefault(); input.focus(); }
  });
})();

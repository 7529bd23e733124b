// vizsite theme script: drawer navigation, table-of-contents highlight, full-size
// figures, client-side search, and links that work from file://. No external requests.

// The page scripts' sentences in the page's language (the JSON block the build writes on
// pages with a playground or a dot-product view), with {name} filled from `values`:
// vizsiteText("pg_draw"). With `html`, the sentence is escaped and the values (markup the
// caller made) are not.
function vizsiteText(key, values, html) {
  if (!vizsiteText.strings) {
    var block = typeof document !== "undefined" && document.getElementById("vizsite-strings");
    try { vizsiteText.strings = block ? JSON.parse(block.textContent) : {}; } catch (e) { vizsiteText.strings = {}; }
  }
  var text = vizsiteText.strings[key] || key;
  if (html) text = text.replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  return text.replace(/\{(\w+)\}/g, function (whole, name) {
    return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}

// What a search query asks for: groups of pieces, each group matched when enough of its
// pieces occur. A word of a spaced script is one piece. Chinese and Japanese write words
// without spaces, so a run of Han, kana or Hangul becomes its overlapping pairs of
// characters (类激活图 → 类激, 激活, 活图), matched when most of them occur: a reader may
// type a phrase the text has in other words' order.
var vizsiteSearch = {
  // The edition's synonyms ("热图=热力图; saliency=显著图"): a query word to the words the
  // lessons use for it, so an English term finds its Chinese lesson.
  synonyms: function (text) {
    var map = {};
    (text || "").split(";").forEach(function (pair) {
      var parts = pair.split("=");
      if (parts.length === 2 && parts[0].trim() && parts[1].trim()) map[parts[0].trim().toLowerCase()] = parts[1].trim();
    });
    return map;
  },
  groups: function (query, synonyms) {
    var groups = [], seen = {};
    synonyms = synonyms || {};
    function piecesOf(part) {
      // A run of Han, kana or Hangul: its overlapping pairs, most of which must occur.
      if (!/^[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+$/.test(part) || part.length === 1) return { pieces: [part], need: 1 };
      var pairs = [];
      for (var k = 0; k + 1 < part.length; k++) if (pairs.indexOf(part.slice(k, k + 2)) < 0) pairs.push(part.slice(k, k + 2));
      return { pieces: pairs, need: Math.max(1, Math.ceil(pairs.length * 0.6)) };
    }
    function add(group) {
      var key = group.pieces.join("\u0000");
      if (group.pieces.length && !seen[key]) { seen[key] = true; groups.push(group); }
    }
    function split(word) {
      var out = [];
      word.split(/([\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+)/).forEach(function (part) {
        part = part.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
        if (part) out.push(piecesOf(part));
      });
      return out;
    }
    var whole = query.toLowerCase().trim().replace(/\s+/g, " ");
    if (synonyms[whole] && whole.indexOf(" ") >= 0) {
      // A phrase the edition names otherwise: its words, or the edition's word.
      var words = [].concat.apply([], whole.split(" ").map(split));
      var alt = split(synonyms[whole].toLowerCase());
      if (alt.length === 1) words.forEach(function (g) { g.alt = alt[0]; add(g); });
      else words.forEach(add);
      return groups;
    }
    whole.split(" ").filter(Boolean).forEach(function (word) {
      var parts = split(word), alt = synonyms[word] ? split(synonyms[word].toLowerCase()) : [];
      if (parts.length === 1 && alt.length === 1) parts[0].alt = alt[0];
      parts.forEach(add);
    });
    return groups;
  },
  // How well a page ({title, headings, text}) answers the groups: 0 when a group (or the
  // synonym it stands for) is not met. The whole query in the title ranks a page first.
  score: function (page, groups, query, synonyms) {
    var score = 0, title = page.title.toLowerCase(), text = page.text.toLowerCase(), anchor = "";
    function measure(group) {
      var found = 0, points = 0, at = "";
      group.pieces.forEach(function (t) {
        var inTitle = title.indexOf(t) >= 0, n = text.split(t).length - 1;
        if (inTitle) points += 10;
        var inHeading = false;
        page.headings.forEach(function (h) { if (h.text.toLowerCase().indexOf(t) >= 0) { inHeading = true; points += 4; if (!at) at = "#" + h.id; } });
        points += Math.min(n, 10);
        if (inTitle || inHeading || n > 0) found += 1;
      });
      return { met: found >= group.need, points: points, anchor: at };
    }
    for (var g = 0; g < groups.length; g++) {
      var own = measure(groups[g]), alt = groups[g].alt ? measure(groups[g].alt) : null;
      var best = own.met && (!alt || !alt.met || own.points >= alt.points) ? own : alt && alt.met ? alt : null;
      if (!best) return { score: 0, anchor: "" };
      score += best.points;
      if (!anchor) anchor = best.anchor;
    }
    var phrase = (query || "").toLowerCase().trim().replace(/\s+/g, " ");
    var named = synonyms && synonyms[phrase] ? synonyms[phrase].toLowerCase() : "";
    if (phrase && (title.indexOf(phrase) >= 0 || (named && title.indexOf(named) >= 0))) score += 1000;
    return { score: score, anchor: anchor };
  }
};
if (typeof module === "object" && module.exports) module.exports = vizsiteSearch;

if (typeof document !== "undefined") (function () {
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
    var w = img.naturalWidth || img.width, h = img.naturalHeight || img.height;
    // As large as the screen allows; by whole pixels when that is at least twice, so small
    // maps stay crisp.
    var scale = Math.min(window.innerWidth * 0.9 / w, window.innerHeight * 0.8 / h);
    if (scale >= 2) scale = Math.floor(scale);
    // An inline width: the stylesheet's `height: auto` keeps the ratio, and nothing else in
    // it can shrink the picture back to its inline size (attributes alone lost to `width: auto`).
    big.style.width = Math.round(w * scale) + "px";
    var caption = document.createElement("p");
    caption.textContent = img.alt + " — click or press Escape to close";
    dialog.appendChild(big); dialog.appendChild(caption);
    dialog.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  });

  // A region that scrolls sideways (a wide figure, code, a long formula) takes the keyboard
  // focus, so it can be scrolled without a mouse; one that fits stays out of the tab order.
  function focusScrollers() {
    document.querySelectorAll(".viz-scroll, .table-scroll, pre, math[display=block]").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); el.setAttribute("data-scroll-focus", ""); }
      } else if (el.hasAttribute("data-scroll-focus")) {
        el.removeAttribute("tabindex"); el.removeAttribute("data-scroll-focus");
      }
    });
  }

  // Layout tiers: a block of the prose wider than the text column (a figure, a table, code, a
  // formula) takes the page's width (class l-page, as an author's layout: page does); what is
  // wider still scrolls, with a shadow at the cut edge (CSS) and a hint under it. An author's
  // tier (l-body, l-page, l-screen written by the build) is left as it is. All measured first,
  // then written, so the page is laid out once.
  var scrollHint = document.body.getAttribute("data-scroll-hint") || "Scroll sideways to see all →";
  function overflowing(block) {
    var inner = block.matches(".table-scroll, pre, math")
      ? [block] : block.querySelectorAll(".viz-scroll, .arch, .table-scroll, pre, math[display=block]");
    return Array.prototype.some.call(inner, function (el) { return el.scrollWidth > el.clientWidth + 1; });
  }
  function fitWideBlocks() {
    var blocks = Array.prototype.slice.call(document.querySelectorAll(
      ".prose > figure.viz, .prose > .table-scroll, .prose > pre, .prose > math[display=block]"));
    blocks.forEach(function (b) {
      if (b.hasAttribute("data-auto-tier")) { b.classList.remove("l-page"); b.removeAttribute("data-auto-tier"); }
    });
    var wide = blocks.filter(function (b) { return !b.matches(".l-body, .l-page, .l-screen") && overflowing(b); });
    wide.forEach(function (b) { b.classList.add("l-page"); b.setAttribute("data-auto-tier", ""); });
    var cut = blocks.map(overflowing);
    blocks.forEach(function (b, i) {
      var hint = b.nextElementSibling && b.nextElementSibling.classList.contains("scroll-hint") ? b.nextElementSibling : null;
      if (cut[i] && !hint) {
        hint = document.createElement("span");
        hint.className = "scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = scrollHint;
        b.insertAdjacentElement("afterend", hint);
      } else if (!cut[i] && hint) {
        hint.remove();
      }
    });
  }
  function layOut() { fitWideBlocks(); focusScrollers(); }
  layOut();
  window.addEventListener("load", layOut);
  var resizeTimer = 0;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(layOut, 100); });

  // A copy button on every code block of the prose (directive examples, Python snippets).
  var copyWord = document.body.getAttribute("data-copy") || "Copy";
  var copiedWord = document.body.getAttribute("data-copied") || "Copied";
  document.querySelectorAll(".prose pre").forEach(function (pre) {
    if (pre.closest("figure")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "code-copy";
    button.textContent = copyWord;
    button.addEventListener("click", function () {
      var text = pre.textContent;
      function shown() {
        button.textContent = copiedWord;
        setTimeout(function () { button.textContent = copyWord; }, 1500);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(shown, function () { fallback(text) && shown(); });
      } else if (fallback(text)) {
        shown();
      }
    });
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    wrap.appendChild(button);
  });
  // Code whose first line reaches under the button starts below it, so the button hides
  // no text (the first line box of the inline <code> is where that line ends).
  function clearCopyButtons() {
    document.querySelectorAll(".code-block").forEach(function (wrap) {
      var code = wrap.querySelector("pre > code"), button = wrap.querySelector(".code-copy");
      wrap.classList.remove("code-block-below");
      var first = code && code.getClientRects()[0];
      wrap.classList.toggle("code-block-below", !!first && first.right > button.getBoundingClientRect().left - 6);
    });
  }
  clearCopyButtons();
  window.addEventListener("load", clearCopyButtons);
  window.addEventListener("resize", clearCopyButtons);
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

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
    var query = input.value.trim();
    if (!query) { results.hidden = true; results.innerHTML = ""; return; }
    var synonyms = vizsiteSearch.synonyms(input.getAttribute("data-synonyms"));
    var groups = vizsiteSearch.groups(query, synonyms), root = input.getAttribute("data-root");
    var terms = [].concat.apply([], groups.map(function (g) { return g.pieces.concat(g.alt ? g.alt.pieces : []); }));
    var scored = (window.VIZSITE_SEARCH || []).map(function (page) {
      var r = vizsiteSearch.score(page, groups, query, synonyms);
      return { page: page, score: r.score, anchor: r.anchor };
    }).filter(function (r) { return r.score > 0; }).sort(function (a, b) { return b.score - a.score; }).slice(0, 8);
    var empty = (input.getAttribute("data-empty") || "No lesson mentions “{query}”.").split("{query}");
    results.innerHTML = scored.length ? scored.map(function (r) {
      return '<li><a href="' + root + r.page.url + r.anchor + '">' + escapeHTML(r.page.title) + "<small>" + snippet(r.page.text, terms) + "</small></a></li>";
    }).join("") : "<li><small>" + empty.map(escapeHTML).join(escapeHTML(query)) + "</small></li>" + otherEdition(query);
    results.hidden = false;
  }
  // Nothing found: a link that runs the same search on the site's other edition.
  function otherEdition(query) {
    var other = document.querySelector(".languages a:not([aria-current])"), words = input.getAttribute("data-other");
    if (!other || !words) return "";
    var href = other.getAttribute("href") + "?q=" + encodeURIComponent(query);
    return '<li><a href="' + escapeHTML(href) + '">' + escapeHTML(words.replace("{language}", other.textContent)) + "</a></li>";
  }
  // A search handed over from the other edition (?q=…) runs on arrival.
  var handed = /[?&]q=([^&]*)/.exec(location.search);
  if (handed) {
    input.value = decodeURIComponent(handed[1].replace(/\+/g, " "));
    load(search);
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

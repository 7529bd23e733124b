// vizsite serve: polls /__vizsite/status, reloads the page when the site was rebuilt,
// and shows the last build's errors over the page. Only preview pages load this file;
// the preview server serves it from the theme, and published sites never carry it.
(function () {
  var version = null;

  function show(errors) {
    var box = document.getElementById("vizsite-errors");
    if (!errors) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("pre");
      box.id = "vizsite-errors";
      box.style.cssText = "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:50vh;overflow:auto;" +
        "z-index:1000;background:#2b0b0e;color:#ffd7d9;padding:1rem;border-radius:8px;" +
        "font:13px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = errors;
  }

  function poll() {
    fetch("/__vizsite/status", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (version !== null && status.version !== version) {
          location.reload();
          return;
        }
        version = status.version;
        show(status.errors);
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 700); });
  }

  poll();
})();

// Refreshes the page's sections in place: the same HTML the server
// renders for a browser without script, fetched again and swapped in
// section by section, so the scroll position stays.
(function () {
  var every = Number(document.body.dataset.every || 5000);
  function refresh() {
    fetch(location.pathname, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh]").forEach(function (el) {
          var fresh = doc.getElementById(el.id);
          if (fresh) { el.innerHTML = fresh.innerHTML; }
        });
        // When the page last came in fresh (tests read it too).
        document.body.dataset.refreshed = new Date().toISOString();
      })
      .catch(function () { /* the next tick tries again */ })
      .finally(function () { setTimeout(refresh, every); });
  }
  setTimeout(refresh, every);
})();

// sharecast console: the little script the pages need. Loaded from /admin/static (the CSP
// allows no inline script). Every page works without it; it only adds confirmations.
(function () {
  "use strict";
  // A submit button with data-confirm asks first (disabling an admin, rejecting a payout…).
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      ev.preventDefault();
    }
  });
  // A form is sent once: a double click must not approve or create twice.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.getAttribute("method") !== "post") { return; }
    if (form.dataset.sent === "1") { ev.preventDefault(); return; }
    form.dataset.sent = "1";
  });
})();
// The dashboard of a live on air reloads its numbers: every data-refresh seconds it fetches
// the page again and swaps #dashboard for the fresh one (the server renders the charts, so
// nothing here draws). It stops once the live has ended (the fresh page has no
// data-refresh) or the session is gone.
(function () {
  "use strict";
  var box = document.getElementById("dashboard");
  if (!box || !box.dataset.refresh || !window.fetch || !window.DOMParser) { return; }
  var every = Math.max(5, parseInt(box.dataset.refresh, 10) || 15) * 1000;
  function tick() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        if (!res.ok || res.redirected) { throw new Error("stop"); }
        return res.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("dashboard");
        if (!fresh) { return; }
        var cur = document.getElementById("dashboard");
        cur.replaceWith(document.importNode(fresh, true));
        if (fresh.dataset.refresh) { window.setTimeout(tick, every); }
      })
      .catch(function () { /* stop polling; a reload starts again */ });
  }
  window.setTimeout(tick, every);
})();

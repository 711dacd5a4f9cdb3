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

// Live preview for the document editor. The page works without it: the
// Preview button posts the form and the server renders the same preview.
(function () {
  "use strict";
  var form = document.getElementById("docform");
  var out = document.getElementById("preview");
  if (!form || !out || !window.fetch || !window.FormData) {
    return;
  }
  var timer = null;
  var seq = 0;
  function refresh() {
    var n = ++seq;
    fetch("/admin/doc/preview", { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && n === seq) {
          out.innerHTML = html;
        }
      })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();

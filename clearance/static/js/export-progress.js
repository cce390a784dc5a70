// Bulk export progress: ask the status endpoint every two seconds, update the <progress> bar,
// the count and the time left; reload the page when the export has finished (it then shows
// the download link and any records that could not be made). Without this script the page
// offers a link to refresh it by hand.
(function () {
  "use strict";
  var box = document.querySelector(".export-progress[data-status-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");
  var eta = box.querySelector(".export-eta");
  var url = box.getAttribute("data-status-url");
  var failures = 0;
  var announced = -1;

  function left(seconds) {
    if (seconds === null || seconds === undefined) { return ""; }
    if (seconds < 60) { return "About " + Math.max(1, seconds) + " seconds left."; }
    return "About " + Math.round(seconds / 60) + " minutes left.";
  }

  function show(s) {
    var handled = s.done + s.failed.length;
    bar.max = s.total || 1;
    bar.value = handled;
    bar.textContent = handled + " of " + s.total;
    eta.textContent = left(s.eta_seconds);
    var quarter = s.total ? Math.floor(4 * handled / s.total) : 0;
    if (quarter === announced) { return; }
    announced = quarter;
    text.textContent = s.done + " of " + s.total + " records made" +
      (s.failed.length ? ", " + s.failed.length + " could not be made" : "") + ".";
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (s) {
        failures = 0;
        if (s.status !== "queued" && s.status !== "running") {
          text.textContent = "The export has finished. Loading the result…";
          window.location.reload();
          return;
        }
        show(s);
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) { window.setTimeout(poll, 4000); }
      });
  }
  window.setTimeout(poll, 1000);
}());

// Org import progress: ask the status endpoint every two seconds and update the <progress>
// bar and its text; reload the page when the import has finished. Without this script the
// page offers a link to refresh it by hand.
(function () {
  "use strict";
  var box = document.querySelector(".import-progress[data-status-url]");
  if (!box || !window.fetch) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[role=status]");
  var url = box.getAttribute("data-status-url");
  var failures = 0;
  var announced = "";

  function number(n) { return Number(n).toLocaleString("en-GB"); }

  // The bar follows every answer; the status text (read out by screen readers) changes only
  // with each new phase and each quarter of the work, so it does not chatter.
  function show(status) {
    var step = status.phase || "";
    if (status.total) {
      bar.max = status.total;
      bar.value = status.done;
      bar.textContent = number(status.done) + " of " + number(status.total);
      step += ":" + Math.floor(4 * status.done / status.total);
    }
    if (step === announced) { return; }
    announced = step;
    if (status.total) {
      text.textContent = number(status.done) + " of " + number(status.total) +
        " changes saved" + (status.phase ? " (" + status.phase + ")" : "") + ".";
    } else if (status.phase) {
      text.textContent = "Working (" + status.phase + ").";
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        if (status.finished) {
          text.textContent = "The import has finished. Loading the result…";
          window.location.assign(box.getAttribute("data-done-url"));
          return;
        }
        show(status);
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) { window.setTimeout(poll, 5000); }
        else { text.textContent = "Progress could not be checked. Refresh the page to try again."; }
      });
  }

  window.setTimeout(poll, 1000);
}());

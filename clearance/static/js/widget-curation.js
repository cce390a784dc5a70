/* The suggestions list: after "Up" or "Down" the page reloads at the moved row; put focus back
   on the same button (or the other one at an end) so the keyboard can keep moving it.
   The page works without this script. */
(function () {
  "use strict";
  var KEY = "clearance.suggestion-move";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("suggestion-move")) { return; }
    var button = event.submitter;
    if (button && button.value) {
      try { sessionStorage.setItem(KEY, button.value); } catch (e) { /* storage refused */ }
    }
  });

  var direction = null;
  try {
    direction = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch (e) { return; }
  if (!direction || location.hash.indexOf("#suggestion-") !== 0) { return; }
  var row = document.getElementById(location.hash.slice(1));
  if (!row) { return; }
  var button = row.querySelector(".suggestion-move button[value='" + direction + "']") ||
    row.querySelector(".suggestion-move button");
  if (button) { button.focus(); }
})();

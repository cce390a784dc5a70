/* The intranet widget page: a button that copies the embed code (shown only when this script
   runs; without it, the code is selected and copied by hand from the read-only box). */
(function () {
  "use strict";
  var row = document.querySelector(".copy-row");
  if (!row || !navigator.clipboard) { return; }
  var button = row.querySelector("button[data-copy]");
  var status = row.querySelector(".copy-status");
  var box = document.getElementById(button.getAttribute("data-copy"));
  row.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(box.value).then(function () {
      status.textContent = "Copied.";
    }, function () {
      box.select();
      status.textContent = "Copying was refused: the code is selected, copy it by hand.";
    });
  });
})();

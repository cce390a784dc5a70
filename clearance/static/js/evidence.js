// Evidence uploads: say at once when a chosen file is over the size limit (the server checks
// again and answers 413 with the same message), and send each submit form only once.
(function () {
  "use strict";
  function megabytes(bytes) { return Math.floor(bytes / 1048576); }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.getElementById(input.id + "-size-error");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var text = "";
      if (file && max && file.size > max) {
        text = "The file is larger than " + megabytes(max) + " MB, the largest accepted. " +
          "Make it smaller (for example, export a PDF with smaller images) and try again.";
      } else if (file && file.size === 0) {
        text = "The file is empty. Choose the file again.";
      }
      input.setCustomValidity(text);
      if (message) {
        message.textContent = text ? "Error: " + text : "";
        message.hidden = !text;
      }
      if (text) { input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
    });
  });

  document.querySelectorAll("form.submit-once").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-disabled", "true");
      });
    });
  });
}());

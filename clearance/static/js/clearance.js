/* Small enhancements for the base layout. Every page works without this script. */
(function () {
  "use strict";

  // The field an error-summary link points at: the control itself, or the first control of a
  // fieldset (checkbox and radio groups carry the field's id on their fieldset).
  function controlFor(id) {
    var target = document.getElementById(id);
    if (!target) { return null; }
    if (target.tagName === "FIELDSET") {
      return target.querySelector("input, select, textarea, button") || null;
    }
    return target;
  }

  // Scroll so that the question (legend or label) shows above the field, then focus the field.
  function focusField(control) {
    var fieldset = control.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    var label = control.id && document.querySelector("label[for='" + CSS.escape(control.id) + "']");
    var heading = legend || label || control;
    heading.scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var control = controlFor(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!control) { return; }
    event.preventDefault();
    focusField(control);
  });

  // A form came back with problems: say so in the title (read first by screen readers) and
  // move focus to the error summary.
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    if (document.title.indexOf("Error: ") !== 0) { document.title = "Error: " + document.title; }
    summary.focus();
  }
})();

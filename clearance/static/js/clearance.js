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

  // The navigation's groups (details elements in the wide row) open and close without script;
  // here they also close on Escape (focus goes back to the group's name), on a click elsewhere
  // and when focus moves out of them, and opening one closes the others (for browsers that do
  // not know details' name attribute). Escape closes the narrow Menu too, from inside it.
  var groups = Array.prototype.slice.call(document.querySelectorAll(".nav-row details"));
  var menus = groups.concat(Array.prototype.slice.call(document.querySelectorAll(".nav-menu")));

  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) { return; }
      groups.forEach(function (other) { if (other !== group) { other.open = false; } });
    });
    group.addEventListener("focusout", function (event) {
      if (group.open && event.relatedTarget && !group.contains(event.relatedTarget)) {
        group.open = false;
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var active = document.activeElement;
    // an open group (it covers the page) closes wherever focus is; the Menu from inside it
    var open = menus.filter(function (menu) {
      return menu.open && (groups.indexOf(menu) !== -1 || menu.contains(active));
    });
    var inside = open.filter(function (menu) { return menu.contains(active); })[0];
    open.forEach(function (menu) { menu.open = false; });
    if (inside) { inside.querySelector("summary").focus(); }
  });

  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) { group.open = false; }
    });
  });

  // A form came back with problems: say so in the title (read first by screen readers) and
  // move focus to the error summary.
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    if (document.title.indexOf("Error: ") !== 0) { document.title = "Error: " + document.title; }
    summary.focus();
  }
})();

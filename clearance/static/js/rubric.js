// The rubric grid's comment bank: "Insert" puts a saved comment into the criterion's comment
// box at the cursor (or at the end). Without JavaScript the comments stay visible to copy and
// the buttons stay hidden.
(function () {
  "use strict";

  function insert(textarea, text) {
    var value = textarea.value;
    var start = typeof textarea.selectionStart === "number" ? textarea.selectionStart : value.length;
    var end = typeof textarea.selectionEnd === "number" ? textarea.selectionEnd : value.length;
    if (document.activeElement !== textarea && start === 0 && end === 0) {
      start = end = value.length;
    }
    var before = value.slice(0, start);
    var after = value.slice(end);
    var glue = before && !/\s$/.test(before) ? " " : "";
    textarea.value = before + glue + text + after;
    var caret = (before + glue + text).length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function ready() {
    var buttons = document.querySelectorAll("button.snippet-insert[data-target][data-snippet]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var textarea = document.getElementById(button.getAttribute("data-target"));
        var source = document.getElementById(button.getAttribute("data-snippet"));
        if (textarea && source) {
          insert(textarea, source.textContent.trim());
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

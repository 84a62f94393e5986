/* trustdesk: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function flash(text) {
    var region = document.getElementById("flash");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = text;
    region.replaceChildren(p);
  }

  // Plain (non-HTMX) forms that destroy something ask first; HTMX forms use hx-confirm.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Keyboard: "/" focuses the element marked data-shortcut="/", "n" follows the link marked
  // data-shortcut="n", Escape closes open menus, Ctrl/Cmd+Enter submits the form being typed in.
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && isTyping(event.target)) {
      var form = event.target.form;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape") {
      document.querySelectorAll("details[open]").forEach(function (d) {
        if (d.classList.contains("usermenu") || d.classList.contains("reason-form")) d.open = false;
      });
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var target = document.querySelector('[data-shortcut="' + CSS.escape(event.key) + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "A") target.click();
    else target.focus();
  });

  // A filter box above a long <select multiple> (e.g. the markets list), and a line saying
  // what is chosen, since chosen options scroll out of sight.
  function wireOptionFilters(root) {
    root.querySelectorAll("input[data-filter-for]").forEach(function (input) {
      var select = document.getElementById(input.getAttribute("data-filter-for"));
      if (!select) return;
      input.hidden = false;
      var chosen = root.querySelector('[data-chosen-for="' + select.id + '"]');
      if (chosen) {
        var showChosen = function () {
          var names = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
            .map(function (o) { return o.text; });
          chosen.textContent = names.length ? "Chosen: " + names.join(", ") : "None chosen yet.";
        };
        select.addEventListener("change", showChosen);
        showChosen();
      }
      input.addEventListener("input", function () {
        var needle = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(select.options, function (option) {
          var hay = (option.text + " " + option.value).toLowerCase();
          option.hidden = needle !== "" && hay.indexOf(needle) === -1 && !option.selected;
        });
      });
    });
  }

  // HTMX replaces panels by id; put focus back where it was, or the keyboard user is lost.
  var focusedId = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    focusedId = active && active.id ? active.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId || (document.activeElement && document.activeElement !== document.body)) return;
    var again = document.getElementById(focusedId);
    if (again) again.focus();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var reasons = {
      403: "You can see this incident but not change it.",
      404: "That no longer exists, or you no longer have access to it.",
    };
    flash(reasons[status] || "The server could not do that (" + status + "). Reload and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("No connection to trustdesk. Nothing was saved; try again.");
  });

  // Messages step aside after a while (errors stay longer; the panel keeps its own copy).
  function settleFlashes() {
    document.querySelectorAll("#flash .flash:not([data-fading])").forEach(function (p) {
      p.setAttribute("data-fading", "");
      var seconds = p.classList.contains("flash-error") ? 12 : 6;
      window.setTimeout(function () { p.remove(); }, seconds * 1000);
    });
  }
  document.addEventListener("click", function (event) {
    var message = event.target.closest && event.target.closest("#flash .flash");
    if (message) message.remove();
  });
  document.addEventListener("htmx:afterSettle", settleFlashes);

  document.addEventListener("DOMContentLoaded", function () {
    wireOptionFilters(document);
    settleFlashes();
  });
})();

/* trustdesk intake: evidence reveal, triage keyboard shortcuts, upload progress.
   Every page works without this file: reveal then opens the original in the tab. */
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function csrf(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* --- Evidence: blurred by default, revealed on purpose, blurred again on leaving. --- */

  function blur(img) {
    var blurred = img.getAttribute("data-blurred-src");
    if (img.getAttribute("src") !== blurred) img.setAttribute("src", blurred);
    img.classList.remove("revealed");
    img.alt = img.alt.replace(/^Revealed evidence/, "Blurred evidence");
    var item = img.closest("[data-evidence]");
    var button = item && item.querySelector("[data-reveal]");
    if (button) button.textContent = "Reveal (logged)";
    img.dispatchEvent(new CustomEvent("evidence:blurred", { bubbles: true }));
  }

  function blurAll() {
    document.querySelectorAll("img[data-evidence-img].revealed").forEach(blur);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-reveal-form]")) return;
    var item = form.closest("[data-evidence]");
    var img = item && item.querySelector("img[data-evidence-img]");
    event.preventDefault();
    if (img && img.classList.contains("revealed")) {
      blur(img);
      return;
    }
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(form), Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("reveal refused (" + response.status + ")");
        return response.json();
      })
      .then(function (data) {
        if (!img) {
          window.location.assign(data.url);
          return;
        }
        img.setAttribute("src", data.url);
        img.classList.add("revealed");
        img.alt = img.alt.replace(/^Blurred evidence/, "Revealed evidence");
        var button = form.querySelector("[data-reveal]");
        if (button) button.textContent = "Blur again";
        img.dispatchEvent(new CustomEvent("evidence:revealed", { bubbles: true, detail: data }));
      })
      .catch(function (error) {
        var region = document.getElementById("flash");
        if (!region) return;
        var p = document.createElement("p");
        p.className = "flash flash-error";
        p.textContent = "Could not reveal: " + error.message;
        region.replaceChildren(p);
      });
  });

  window.addEventListener("pagehide", blurAll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") blurAll();
  });

  /* --- Triage queue: j/k to move, Enter to open, o/a/d/s to act on the selected group. --- */

  var selected = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-group-row]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) return null;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("is-selected", i === selected);
    });
    all[selected].focus();
    return all[selected];
  }

  function current() {
    var all = rows();
    return selected >= 0 && selected < all.length ? all[selected] : select(0);
  }

  function openDetails(row, action) {
    var details = row.querySelector('details[data-action="' + action + '"]');
    if (!details) return;
    details.open = true;
    var field = details.querySelector("input:not([type=hidden]), textarea");
    if (field) field.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-triage-queue]")) return;
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var row;
    switch (event.key) {
      case "j":
        select(selected + 1);
        break;
      case "k":
        select(selected - 1);
        break;
      case "Enter":
        row = current();
        if (row && document.activeElement === row) row.querySelector("[data-open-link]").click();
        else return;
        break;
      case "o":
        row = current();
        var open = row && row.querySelector('[data-action="open"]');
        if (open) open.click();
        break;
      case "a":
        row = current();
        if (row) openDetails(row, "attach");
        break;
      case "d":
        row = current();
        if (row) openDetails(row, "dismiss");
        break;
      case "s":
        row = current();
        var spam = row && row.querySelector('[data-action="spam"]');
        if (spam) spam.form.requestSubmit();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  /* --- File import: show upload progress, then the result in place. --- */

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-upload-form]")) return;
    var bar = form.querySelector("[data-upload-progress]");
    var status = form.querySelector("[data-upload-status]");
    if (!bar || !window.XMLHttpRequest) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.responseType = "document";
    bar.hidden = false;
    status.hidden = false;
    status.textContent = "Uploading…";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.textContent = "Checking and storing rows…";
    });
    xhr.addEventListener("load", function () {
      var fresh = xhr.response && xhr.response.getElementById("import-area");
      var area = document.getElementById("import-area");
      if (fresh && area) area.replaceWith(fresh);
      else status.textContent = "The server answered " + xhr.status + ".";
    });
    xhr.addEventListener("error", function () {
      status.textContent = "No connection to trustdesk. Nothing was imported; try again.";
    });
    xhr.send(new FormData(form));
  });
})();

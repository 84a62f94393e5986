/* Quality review form: a live preview of the weighted score while scoring. The server
   computes the real result on submit; this only mirrors trustdesk.quality.stats. */
(function () {
  "use strict";

  function preview(form) {
    var out = form.querySelector("[data-score-preview]");
    if (!out) return;
    var passMark = parseFloat(out.getAttribute("data-pass-mark"));
    var weighted = 0, weights = 0, scored = 0, failures = [];
    var fieldsets = form.querySelectorAll("fieldset[data-weight]");
    fieldsets.forEach(function (fs) {
      var checked = fs.querySelector("input[type=radio]:checked");
      if (!checked) return;
      scored += 1;
      if (checked.value === "na") return;
      var value = parseInt(checked.value, 10);
      var low = parseInt(fs.getAttribute("data-min"), 10);
      var high = parseInt(fs.getAttribute("data-max"), 10);
      var weight = parseFloat(fs.getAttribute("data-weight"));
      var threshold = fs.getAttribute("data-threshold");
      weighted += weight * (value - low) / (high - low);
      weights += weight;
      if (threshold && value < parseInt(threshold, 10)) failures.push(fs.getAttribute("data-label"));
    });
    out.hidden = false;
    if (!weights) {
      out.textContent = "Score so far: none yet.";
      return;
    }
    var score = Math.round((weighted / weights) * 100);
    var text = "Score so far: " + score + "% (" + scored + " of " + fieldsets.length + " criteria)";
    if (failures.length) {
      text += ". Critical failure: " + failures.join(", ") + ". This review will not pass.";
      out.className = "score-preview score-preview-fail";
    } else {
      text += score >= passMark ? ". Above the pass mark." : ". Below the pass mark.";
      out.className = "score-preview" + (score >= passMark ? "" : " score-preview-fail");
    }
    out.textContent = text;
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.score-form");
    if (form) preview(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.score-form").forEach(preview);
  });
})();

/* Post-mortems: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // The printable page's Print button.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });

  // On an incident's page, a lifecycle move swaps the header out of band; the post-mortem
  // panel then reloads, so resolving an incident shows its new draft without a reload.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var swapped = event.target;
    if (swapped && swapped.id === "panel-header" && document.getElementById("panel-postmortem")) {
      window.htmx.trigger(document.body, "pm-refresh");
    }
  });
})();

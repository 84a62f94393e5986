/* trustdesk wellbeing: apply viewing preferences to evidence video, and record how long
   sensitive media or text stayed revealed. The server opens an exposure event when media is
   revealed (intake's reveal answer carries its end URL) or when collapsed text is opened
   (POST to data-wb-start); this file closes it with a beacon when the item is hidden again,
   the tab is hidden, or the page is left. Lost beacons are closed by a server sweep. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  /* Open exposure events on this page: element -> end URL. */
  var open = new Map();

  function end(element) {
    var url = open.get(element);
    if (!url) return;
    open.delete(element);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (!(navigator.sendBeacon && navigator.sendBeacon(url, body))) {
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
    }
  }

  function endAll() {
    Array.from(open.keys()).forEach(end);
  }

  /* Media: intake.js announces reveals and re-blurs. */
  document.addEventListener("evidence:revealed", function (event) {
    var exposure = event.detail && event.detail.exposure;
    if (exposure && exposure.end_url) open.set(event.target, exposure.end_url);
  });
  document.addEventListener("evidence:blurred", function (event) {
    end(event.target);
  });

  /* Text behind a content warning: opening it starts an event, closing it ends it. */
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.matches || !details.matches("details.cw")) return;
      var text = details.querySelector("[data-wb-start]");
      var startUrl = text && text.getAttribute("data-wb-start");
      var category = text && text.getAttribute("data-wb-text");
      if (!startUrl || !category) return;
      if (!details.open) {
        end(details);
        return;
      }
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken());
      body.append("category", category);
      body.append("kind", "text");
      fetch(startUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (!data) return;
          open.set(details, data.end_url);
          if (!details.open) end(details); /* closed again before the server answered */
        });
    },
    true
  );

  function collapseAll() {
    document.querySelectorAll("details.cw[open]").forEach(function (details) {
      details.open = false;
    });
  }

  window.addEventListener("pagehide", function () {
    collapseAll();
    endAll();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      collapseAll();
      endAll();
    }
  });

  /* Video: muted and paused when the person's preference (or the organisation) says so. */
  function quiet(root) {
    root.querySelectorAll("[data-wb-mute] video, [data-wb-pause] video").forEach(function (video) {
      var item = video.closest("[data-evidence]");
      if (item && item.hasAttribute("data-wb-mute")) video.muted = true;
      if (item && item.hasAttribute("data-wb-pause")) {
        video.autoplay = false;
        video.pause();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    quiet(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    quiet(event.target);
  });
})();

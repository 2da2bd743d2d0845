/* The import page's progress bar: polls the run's JSON progress every 2 seconds and reloads the
   page when the run has finished. Loaded as a file (no inline script, for the CSP); without
   JavaScript the page offers a refresh link. */
(function () {
  "use strict";
  var bar = document.querySelector("progress[data-import-progress]");
  if (!bar || !window.fetch) {
    return;
  }
  var url = bar.getAttribute("data-import-progress");
  var text = document.getElementById(bar.getAttribute("aria-describedby"));
  var known = bar.getAttribute("data-text-known");
  var unknown = bar.getAttribute("data-text-unknown");

  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = Math.min(data.done, data.total);
      if (text) {
        text.textContent = known.replace("%(done)s", data.done).replace("%(total)s", data.total);
      }
    } else if (text) {
      text.textContent = unknown;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 2000);
})();

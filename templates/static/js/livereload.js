// Used only by `podium serve`: reload the page when a rebuild finishes.
(function () {
  "use strict";
  var seen = null;
  function poll() {
    fetch("/__podium/generation", { cache: "no-store" }).then(function (r) { return r.text(); })
      .then(function (generation) {
        if (seen !== null && generation !== seen) window.location.reload();
        seen = generation;
      }, function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
})();

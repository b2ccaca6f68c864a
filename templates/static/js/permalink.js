// Adds a "Copy link" button beside each turn's permalink. The page works without it.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll(".turn .permalink").forEach(function (anchor) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-link";
    button.textContent = "Copy link";
    button.setAttribute("aria-label", "Copy link to this turn");
    button.addEventListener("click", function () {
      var url = new URL(anchor.getAttribute("href"), window.location.href).href;
      navigator.clipboard.writeText(url).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy link"; }, 2000);
      }, function () { window.location.hash = anchor.getAttribute("href"); });
    });
    anchor.after(button);
  });
})();

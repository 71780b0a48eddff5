// Refresh a live view (a promotion is running) every few seconds. The page works without it.
(function () {
  var seconds = parseInt(document.body.getAttribute("data-live") || "0", 10);
  if (seconds > 0) {
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();

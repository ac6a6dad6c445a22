// The thank-you page after an application (recruitment/public/done.html): where the Clipboard API
// exists, shows the "Copy the number" button, which copies the reference number and says "Copied.".
(function () {
  var button = document.getElementById("copy-reference");
  if (!button || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(document.getElementById("reference").textContent.trim()).then(function () {
      document.getElementById("copied").hidden = false;
    });
  });
})();

// "Back" links (data-back) go back in the browser's history, so what was typed in the form is still there;
// without JavaScript the link's href (the page it came from) is followed instead.
document.querySelectorAll("a[data-back]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
});

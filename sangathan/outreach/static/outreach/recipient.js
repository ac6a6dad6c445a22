// The recipient's page /m/<token>/ (outreach/public/message.html).
// Answers ("Received", "Mark shared", "I cannot share it") are posted with fetch and the answer card that
// comes back replaces #done, so a booth worker on a slow phone does not reload the whole page. The card
// carries no CSRF token: the page's is sent. Without fetch the forms post as usual.
// The copy buttons put a variant's text on the clipboard (a hidden textarea where the Clipboard API is missing).
(function () {
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-inline") || !window.fetch || !e.submitter || !csrf) return;
    e.preventDefault();
    var data = new FormData(form);
    data.set("csrfmiddlewaretoken", csrf);
    if (e.submitter.name) data.append(e.submitter.name, e.submitter.value);
    fetch(location.href, {method: "POST", body: data, credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        if (response.status !== 200 && response.status !== 400) throw response;
        return response.text();
      })
      .then(function (card) { document.getElementById("done").outerHTML = card; })
      .catch(function () { location.reload(); });
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest(".copy");
    if (!button) return;
    var text = document.getElementById(button.dataset.target).innerText;
    function copied() {
      var label = button.textContent;
      button.textContent = button.dataset.done;
      setTimeout(function () { button.textContent = label; }, 1500);
    }
    function copyWithTextarea() {
      var area = document.createElement("textarea");
      area.value = text;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); copied(); } catch (x) { /* nothing more to try */ }
      document.body.removeChild(area);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, copyWithTextarea);
    } else {
      copyWithTextarea();
    }
  });
})();

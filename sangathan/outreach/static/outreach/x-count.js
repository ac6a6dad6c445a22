// The message form (outreach/form.html): counts the X (Twitter) text as X does and shows "n / 280".
// X counts a link as 23 characters, Latin and common punctuation as 1 and everything else (Devanagari,
// emoji) as 2, after NFC normalisation.
(function () {
  var text = document.getElementById("id_text_x"), counter = document.getElementById("x-count");
  if (!text) return;
  function weight(s) {
    s = s.normalize("NFC").replace(/https?:\/\/\S+/gi, "12345678901234567890123");
    var count = 0;
    for (var ch of s) {
      var p = ch.codePointAt(0);
      count += (p <= 4351 || (p >= 8192 && p <= 8205) || (p >= 8208 && p <= 8223) || (p >= 8242 && p <= 8247)) ? 1 : 2;
    }
    return count;
  }
  function update() {
    var count = weight(text.value);
    counter.textContent = count + " / 280";
    counter.className = "oc-x-count" + (count > 280 ? " over" : "");
  }
  text.addEventListener("input", update);
  update();
})();

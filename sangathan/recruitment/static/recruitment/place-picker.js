// The application form /a/<slug>/ (recruitment/public/form.html): the place type-ahead.
// Each .place box is a search field (htmx fetches matching places into its .choices list) and a hidden
// field with the picked place's id. Picking a place fills the box and opens the next one, searching
// under the place picked; typing again in a box clears it and every box after it.
(function () {
  var form = document.getElementById("apply-form");
  if (!form) return;
  var boxes = Array.prototype.slice.call(form.querySelectorAll(".place"));
  function parts(box) {
    return {id: box.querySelector("input[type=hidden]"), q: box.querySelector("input[type=search]"), list: box.querySelector(".choices")};
  }
  // The places after box i start again: the next one searches under parentId, the rest wait for it.
  function reset(i, parentId) {
    for (var j = i + 1; j < boxes.length; j++) {
      var p = parts(boxes[j]), vals = JSON.parse(p.q.getAttribute("hx-vals"));
      p.id.value = ""; p.q.value = ""; p.list.innerHTML = "";
      boxes[j].classList.remove("picked");
      p.q.disabled = !(j === i + 1 && parentId);
      vals.parent = p.q.disabled ? "" : parentId;
      p.q.setAttribute("hx-vals", JSON.stringify(vals));
    }
  }
  function pick(button) {
    var box = button.closest(".place"), p = parts(box), i = boxes.indexOf(box);
    p.id.value = button.getAttribute("data-pick");
    p.q.value = button.getAttribute("data-label");
    p.list.innerHTML = "";
    box.classList.add("picked");
    reset(i, p.id.value);
    if (boxes[i + 1]) parts(boxes[i + 1]).q.focus();
  }
  form.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-pick]");
    if (button) { e.preventDefault(); pick(button); }
  });
  form.addEventListener("input", function (e) {
    var box = e.target.closest(".place");
    if (!box || e.target.type !== "search") return;
    parts(box).id.value = "";
    box.classList.remove("picked");
    reset(boxes.indexOf(box), "");
  });
  // Back in a box already picked: the name is selected, so typing replaces it.
  form.addEventListener("focusin", function (e) {
    var box = e.target.closest(".place");
    if (box && e.target.type === "search" && box.classList.contains("picked")) e.target.select();
  });
  form.addEventListener("keydown", function (e) {
    var box = e.target.closest(".place");
    if (!box || e.target.type !== "search") return;
    if (e.key === "Enter") {
      e.preventDefault();
      var first = box.querySelector("button[data-pick]");
      if (first) pick(first);
    } else if (e.key === "Escape") {
      parts(box).list.innerHTML = "";
    }
  });
  // A late answer for a place already picked is not shown (unless the person is back in that box).
  document.body.addEventListener("htmx:beforeSwap", function (e) {
    var box = e.detail.target.closest(".place");
    if (box && box.classList.contains("picked") && document.activeElement !== parts(box).q) e.detail.shouldSwap = false;
  });
  var firstError = document.querySelector("#apply-form .has-error");
  if (firstError) firstError.scrollIntoView();
})();

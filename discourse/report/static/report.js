/* discourse report: folding, filtering and keyboard moves. The page reads fine without it.
   Never builds markup from page text: only classes, attributes and textContent change. */
(function () {
  "use strict";
  var doc = document;
  var controls = doc.getElementById("controls");
  var comments = Array.prototype.slice.call(doc.querySelectorAll("li.c"));

  function setOpen(selector, open) {
    var all = doc.querySelectorAll(selector);
    for (var i = 0; i < all.length; i++) { all[i].open = open; }
  }

  if (controls) {
    controls.hidden = false;
    doc.getElementById("expand-all").addEventListener("click", function () { setOpen("details.kids, details.page", true); });
    doc.getElementById("collapse-all").addEventListener("click", function () { setOpen("details.kids", false); });
    var filter = doc.getElementById("filter");
    var status = doc.getElementById("filter-status");
    filter.addEventListener("change", function () {
      var value = filter.value;
      var kind = value.slice(0, 2), name = value.slice(2), hits = 0;
      if (value) { setOpen("details.kids, details.page", true); }
      for (var i = 0; i < comments.length; i++) {
        var li = comments[i], match = true;
        if (kind === "f:") { match = (li.getAttribute("data-frames") || "").split(";").indexOf(name) >= 0; }
        else if (kind === "t:") { match = (li.getAttribute("data-tech") || "").split(";").indexOf(name) >= 0; }
        else if (kind === "u:") { match = li.getAttribute("data-unciv") === "1"; }
        li.classList.toggle("off", Boolean(value) && !match);
        li.classList.toggle("hit", Boolean(value) && match);
        if (value && match) { hits += 1; }
      }
      status.textContent = value ? hits + " of " + comments.length + " comments shown in full" : "";
    });
  }

  var articles = doc.querySelectorAll("article.cm");
  doc.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") { return; }
    if (event.key !== "j" && event.key !== "k") { return; }
    var visible = Array.prototype.filter.call(articles, function (a) { return a.offsetParent !== null; });
    if (!visible.length) { return; }
    var current = visible.indexOf(doc.activeElement && doc.activeElement.closest ? doc.activeElement.closest("article.cm") : null);
    var next = event.key === "j" ? current + 1 : (current < 0 ? 0 : current - 1);
    next = Math.max(0, Math.min(visible.length - 1, next));
    visible[next].focus();
    event.preventDefault();
  });

  var reopen = [];
  window.addEventListener("beforeprint", function () {
    reopen = Array.prototype.filter.call(doc.querySelectorAll("details"), function (d) { return !d.open; });
    reopen.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopen.forEach(function (d) { d.open = false; });
    reopen = [];
  });
})();

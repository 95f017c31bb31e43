/* Run a function on every page shown: after each instant-navigation load under Material
   (document$), or once when the page has loaded where document$ is missing. Loaded first. */
(function () {
  "use strict";
  window.rcOnPage = function (fn) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(fn);
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  };
})();

/* A table wider than the screen scrolls sideways inside its own box (Material's wrapper, or the portal's
   tables shown as blocks). A keyboard user can only scroll a box that takes the focus, so each one that
   overflows, and holds no link to tab to, gets tabindex="0"; a wrapper also gets a region role and a name
   (a table keeps its own role). Checked again when the window changes size. */
(function () {
  "use strict";
  var BOXES = ".md-typeset__scrollwrap, .md-typeset .rc-chart__table table, .md-typeset .rc-fields, .rc-finder__table";

  function mark() {
    document.querySelectorAll(BOXES).forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (!scrolls || box.querySelector("a[href], button, input, select, textarea")) {
        if (box.hasAttribute("data-rc-scroll")) {
          box.removeAttribute("tabindex");
          box.removeAttribute("data-rc-scroll");
          if (box.tagName !== "TABLE") { box.removeAttribute("role"); box.removeAttribute("aria-label"); }
        }
        return;
      }
      if (box.hasAttribute("data-rc-scroll")) return;
      box.setAttribute("tabindex", "0");
      box.setAttribute("data-rc-scroll", "");
      if (box.tagName !== "TABLE") {
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "表格（可左右滚动）");
      }
    });
  }

  // after Material has wrapped the page's tables, which it does once the new page is in place
  window.rcOnPage(function () { window.requestAnimationFrame(mark); });
  window.addEventListener("resize", mark);
})();

/* The header's search box (overrides/partials/search.html) is a plain form to the finder. The theme's own
   search would focus it when its dialog opens (the search button on phones) and on the "/" key; this does
   the same for the form. Listeners sit on the document, which instant navigation keeps. */
(function () {
  "use strict";
  function input() { return document.querySelector(".rc-search .md-search__input"); }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "__search" && event.target.checked && input()) input().focus();
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || !input()) return;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))) return;
    event.preventDefault();
    input().focus();
  });
})();

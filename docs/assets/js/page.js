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
   tables shown as blocks). A reader must see that it does: a line above the box says 左右滑动查看, and the
   box's edge fades out on the side where columns are hidden (portal.css, data-rc-scroll). A keyboard user can
   only scroll a box that takes the focus, so each one that overflows gets tabindex="0", links or not (tabbing
   to a link in the first column never shows the last); a wrapper also gets a region role and a name (a table
   keeps its own role). Checked again when the window changes size. */
(function () {
  "use strict";
  var BOXES = ".md-typeset__scrollwrap, .md-typeset .rc-chart__table table, .md-typeset .rc-fields, .rc-finder__table";

  var HINT = "rc-scroll-hint";

  // which ends of the box hide columns: "start", "end", both or neither (scrolled to neither edge)
  function edges(box) {
    var hidden = [];
    if (box.scrollLeft > 1) hidden.push("start");
    if (box.scrollLeft + box.clientWidth < box.scrollWidth - 1) hidden.push("end");
    box.setAttribute("data-rc-scroll", hidden.join(" "));
  }

  function onScroll(event) { edges(event.currentTarget); }

  function mark() {
    // every width read first, then every attribute written: reading after a write lays the page out again
    var boxes = Array.prototype.slice.call(document.querySelectorAll(BOXES));
    var scrolling = boxes.map(function (box) { return box.scrollWidth > box.clientWidth + 1; });
    boxes.forEach(function (box, i) {
      var scrolls = scrolling[i];
      var hint = box.previousElementSibling && box.previousElementSibling.classList.contains(HINT)
        ? box.previousElementSibling : null;
      if (!scrolls) {
        if (box.hasAttribute("data-rc-scroll")) {
          box.removeAttribute("tabindex");
          box.removeAttribute("data-rc-scroll");
          box.removeEventListener("scroll", onScroll);
          if (hint) hint.remove();
          if (box.tagName !== "TABLE") { box.removeAttribute("role"); box.removeAttribute("aria-label"); }
        }
        return;
      }
      edges(box);
      if (box.hasAttribute("tabindex")) return;
      box.setAttribute("tabindex", "0");
      box.addEventListener("scroll", onScroll, { passive: true });
      if (!hint) {
        // the region's name says the same to a screen reader: the line is for the eye
        hint = document.createElement("p");
        hint.className = HINT;
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = "表格较宽，左右滑动查看 →";
        box.parentNode.insertBefore(hint, box);
      }
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

/* The header's search form names the finder relative to the page it was rendered on (a plain form, so it works
   without JavaScript). Instant navigation keeps the header and moves the address, so by the time a reader
   searches, that relative address may point below another page (/lists/finder/, a 404). The theme's scope,
   the site's root URL it sets on the first load, gives the finder's address wherever the reader now is. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("rc-search") || !window.__md_scope) return;
    form.action = new URL("finder/", window.__md_scope).href;
  }, true);
})();

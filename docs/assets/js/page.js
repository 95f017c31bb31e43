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

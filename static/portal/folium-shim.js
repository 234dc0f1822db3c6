/* The two jQuery calls folium's generated code makes, so jQuery need not be served:
   `$(htmlString)[0]` (popup content) and `$(document).ready(fn)`. */
(function () {
  "use strict";
  if (window.jQuery) { return; }
  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }
  window.$ = function (arg) {
    if (typeof arg === "function") { ready(arg); return undefined; }
    if (typeof arg === "string") {
      var template = document.createElement("template");
      template.innerHTML = arg.trim();
      return Array.prototype.slice.call(template.content.childNodes);
    }
    return { ready: ready };
  };
}());

/* The embedded finder (/integrer/recherche/) tells the partner's page its height, so that
   the frame grows and shrinks with it (aides/integrer/partenaire.js listens). The height
   is no secret: it is posted to any parent. */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var last = 0;

  function post() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ source: "portail-acces-soins", hauteur: height }, "*");
    }
  }

  if (window.ResizeObserver) {
    new ResizeObserver(post).observe(document.body);
  } else {
    window.addEventListener("resize", post);
    document.addEventListener("toggle", post, true);
  }
  window.addEventListener("load", post);
  post();
})();

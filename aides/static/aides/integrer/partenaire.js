/* On a partner's page, next to the frame of the portal's finder (snippet of /integrer/):
   sets the frame's height to the one the frame posts. Only messages from the origin this
   script was served from, and only for the frame that sent them, are read. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URL) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var MIN = 200;
  var MAX = 20000;

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.source !== "portail-acces-soins") { return; }
    var height = Number(data.hauteur);
    if (!isFinite(height)) { return; }
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frames[i].style.height = Math.min(Math.max(Math.round(height), MIN), MAX) + "px";
      }
    }
  });
})();

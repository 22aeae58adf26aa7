// Fahrplan: the little JavaScript there is. Every page works without it; with htmx it
// moves focus deliberately after a swap and announces status messages in the live region.
(function () {
  "use strict";

  var live = function () { return document.getElementById("live"); };

  // Put a message into the live region (role=status), so screen readers announce it.
  function announce(message, kind) {
    var region = live();
    if (!region || !message) { return; }
    var paragraph = document.createElement("p");
    paragraph.className = "flash flash-" + (kind || "info");
    paragraph.textContent = message;
    // Replace rather than append: the newest message is the one to hear.
    region.replaceChildren(paragraph);
  }

  // Move focus into swapped content when it asks for it: the element marked data-focus (the
  // swapped element itself or one inside it), else one with autofocus. Focus is never moved
  // silently elsewhere, so keyboard and screen reader users stay where they were otherwise.
  function focusAfterSwap(target) {
    if (!target || !target.isConnected) { return; }
    var wanted = target.matches("[data-focus]") ? target
      : target.querySelector("[data-focus], [autofocus]");
    if (!wanted) { return; }
    if (!wanted.matches("a[href], button, input, select, textarea, [tabindex]")) {
      wanted.setAttribute("tabindex", "-1");
    }
    wanted.focus();
  }

  // The server announces with the HX-Trigger header: {"announce": "Gespeichert."}.
  document.addEventListener("announce", function (event) {
    var detail = event.detail || {};
    announce(detail.value || detail.message, detail.kind);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    var message = target.querySelector("[data-announce]");
    if (message) { announce(message.getAttribute("data-announce")); }
    focusAfterSwap(target);
  });

  // A refused form comes back as a fragment with its messages and everything typed (400: an
  // error, 409: a conflict): swap it in like a success. A full error page is never swapped in;
  // the responseError handler below announces it instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail || {};
    var status = detail.xhr ? detail.xhr.status : 0;
    if ((status === 400 || status === 409) && !/^\s*<!doctype/i.test(detail.serverResponse || "")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    var lang = document.documentElement.lang;
    announce(lang === "en"
      ? "The request failed (error " + status + "). Please try again."
      : "Die Anfrage ist fehlgeschlagen (Fehler " + status + "). Bitte erneut versuchen.", "error");
  });

  document.addEventListener("htmx:sendError", function () {
    var lang = document.documentElement.lang;
    announce(lang === "en"
      ? "The server cannot be reached. Your input has been kept."
      : "Der Server ist nicht erreichbar. Ihre Eingaben sind erhalten.", "error");
  });

  // After following the skip link, some browsers leave the caret behind: focus main itself.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.skip-link");
    if (!link) { return; }
    var main = document.getElementById("main");
    if (main) { main.focus(); }
  });
}());

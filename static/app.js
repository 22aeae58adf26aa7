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
    // An outerHTML swap replaced the target: its successor carries the same id.
    if (target && !target.isConnected && target.id) { target = document.getElementById(target.id); }
    if (!target) { return; }
    var message = target.querySelector("[data-announce]");
    if (message) { announce(message.getAttribute("data-announce")); }
    focusAfterSwap(target);
  });

  // A refused form comes back as a fragment with its messages and everything typed (400: an
  // error, 409: a conflict, 413 and 415: a file too large or of a type not taken): swap it in
  // like a success. A full error page is never swapped in; the responseError handler below
  // announces it instead.
  var SWAPPED = [400, 409, 413, 415];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail || {};
    var status = detail.xhr ? detail.xhr.status : 0;
    if (SWAPPED.indexOf(status) >= 0 && !/^\s*<!doctype/i.test(detail.serverResponse || "")) {
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

  // Uploads: files dropped on the file field are chosen in it; a choice over the limit is
  // refused before it is sent; while htmx sends, a progress bar shows how far it got.
  function fileField(element) {
    var drop = element && element.closest && element.closest(".file-drop");
    return drop ? drop.querySelector("input[type=file]") : null;
  }

  function checkSize(input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var total = 0;
    for (var i = 0; i < input.files.length; i++) { total += input.files[i].size; }
    input.setCustomValidity(limit && total > limit ? input.getAttribute("data-too-large") : "");
  }

  document.addEventListener("dragover", function (event) {
    var input = fileField(event.target);
    if (!input) { return; }
    event.preventDefault();
    input.closest(".file-drop").classList.add("file-drop-active");
  });

  document.addEventListener("dragleave", function (event) {
    var input = fileField(event.target);
    if (input) { input.closest(".file-drop").classList.remove("file-drop-active"); }
  });

  document.addEventListener("drop", function (event) {
    var input = fileField(event.target);
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) { return; }
    event.preventDefault();
    input.closest(".file-drop").classList.remove("file-drop-active");
    input.files = event.dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".file-drop input[type=file]")) {
      checkSize(event.target);
      event.target.reportValidity();
    }
  });

  document.addEventListener("htmx:xhr:loadstart", function (event) {
    var form = event.target.closest && event.target.closest("form.file-upload");
    var shown = form && form.querySelector(".upload-progress");
    if (!shown) { return; }
    shown.hidden = false;
    shown.querySelector("progress").value = 0;
    form.querySelector("button[type=submit]").disabled = true;
    announce(shown.querySelector("label").textContent);
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form.file-upload");
    var bar = form && form.querySelector(".upload-progress progress");
    var detail = event.detail || {};
    if (bar && detail.lengthComputable && detail.total) {
      bar.value = Math.round(100 * detail.loaded / detail.total);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target.closest && event.target.closest("form.file-upload");
    if (!form || !form.isConnected) { return; }  // replaced by the answer: nothing to reset
    form.querySelector(".upload-progress").hidden = true;
    form.querySelector("button[type=submit]").disabled = false;
  });

  // An edit form left without saving (the tab closed, another page opened) ends the note that
  // this person is editing, so colleagues do not see it for minutes. Saving ends it on the server.
  var leaving = true;
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-leave]")) { leaving = false; }
  });
  window.addEventListener("pageshow", function () { leaving = true; });
  window.addEventListener("pagehide", function () {
    var form = document.querySelector("form[data-leave]");
    if (!form || !leaving || !navigator.sendBeacon) { return; }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    navigator.sendBeacon(form.getAttribute("data-leave"), data);
  });

  // After following the skip link, some browsers leave the caret behind: focus main itself.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.skip-link");
    if (!link) { return; }
    var main = document.getElementById("main");
    if (main) { main.focus(); }
  });
}());

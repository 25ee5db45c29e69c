// Plenary's only script: live updates from the stream, the speaking-time countdown, and
// posting forms without leaving the page. Everything works without it.
(function () {
  "use strict";
  var body = document.body;
  var meeting = body.getAttribute("data-live-meeting");

  function tick() {
    var clocks = document.querySelectorAll(".clock[data-limit]");
    for (var i = 0; i < clocks.length; i++) {
      var c = clocks[i];
      var since = parseInt(c.getAttribute("data-since"), 10);
      var limit = parseInt(c.getAttribute("data-limit"), 10);
      if (!since || !limit) continue;
      var left = Math.round(limit - (Date.now() - since) / 1000);
      var neg = left < 0;
      var s = Math.abs(left);
      var text = (neg ? "−" : "") + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (c.textContent !== text) c.textContent = text;
      c.classList.toggle("over", neg);
    }
  }
  setInterval(tick, 250);
  tick();

  // A form control's identity across a swap: its id, or for a check box its name and value.
  function key(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.name + "\u0000" + el.value;
    return el.id || null;
  }
  // What the reader has typed or ticked and not yet sent.
  function edits(root) {
    var out = {};
    root.querySelectorAll("input, textarea, select").forEach(function (el) {
      var k = key(el);
      if (!k || el.type === "hidden") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) out[k] = el.checked;
      } else if (el.tagName === "SELECT") {
        var changed = Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
        if (changed) out[k] = el.value;
      } else if (el.value !== el.defaultValue) {
        out[k] = el.value;
      }
    });
    return out;
  }

  // Replaces the live part of the page with the same part of `html`, keeping focus where
  // it was (by element id) so a keyboard user is not thrown back to the top. A live update
  // (`keep`) also keeps what the reader was typing: the room moving on must not erase a draft.
  function swap(html, keep) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("live");
    var live = document.getElementById("live");
    if (!fresh || !live) return;
    var active = document.activeElement;
    var focusId = active && active.id;
    var opened = [];
    live.querySelectorAll("details[open][id]").forEach(function (d) { opened.push(d.id); });
    var typed = keep ? edits(live) : {};
    // A live update must not take away a refusal the reader is reading (a pasted list refused
    // at its third line has registered the first two, and their events arrive just after).
    var refusals = [];
    if (keep) live.querySelectorAll(".refusal[role=alert]").forEach(function (r) {
      var f = r.previousElementSibling;
      if (f && f.id) refusals.push([f.id, r.outerHTML]);
    });
    live.innerHTML = fresh.innerHTML;
    refusals.forEach(function (kept) {
      var f = document.getElementById(kept[0]);
      var next = f && f.nextElementSibling;
      if (f && !(next && next.classList.contains("refusal"))) f.insertAdjacentHTML("afterend", kept[1]);
    });
    opened.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    live.querySelectorAll("input, textarea, select").forEach(function (el) {
      var k = key(el);
      if (!k || !(k in typed)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = typed[k];
      else el.value = typed[k];
    });
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) again.focus();
    }
    var alert = live.querySelector(".refusal[role=alert]");
    if (alert && !focusId) alert.setAttribute("tabindex", "-1");
    tick();
  }

  var pending = null;
  function refresh() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      fetch(location.pathname + location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html) swap(html, true); })
        .catch(function () {});
    }, 120);
  }

  // Forms post in the background; the answer (the page again, with a refusal next to the
  // form if there was one) replaces the live part.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.getAttribute("action") === "/sign-out") return;
    ev.preventDefault();
    // A file goes as multipart to the form's own address; everything else to the page.
    var multipart = form.enctype === "multipart/form-data";
    var data = multipart ? new FormData(form, ev.submitter || undefined)
      : new URLSearchParams(new FormData(form, ev.submitter || undefined));
    // What was filled in: put back if the form is refused, to correct rather than retype.
    var filled = {};
    form.querySelectorAll("input, textarea, select").forEach(function (el) {
      var k = key(el);
      if (!k || el.type === "hidden") return;
      filled[k] = (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value;
    });
    fetch(multipart ? form.action : location.pathname, { method: "POST", body: data, credentials: "same-origin",
      headers: multipart ? {} : { "Content-Type": "application/x-www-form-urlencoded" } })
      .then(function (r) {
        // A command that went through redirects to the page as it now is (a revision done,
        // the editor back to a new draft): the address bar follows.
        if (r.redirected) history.replaceState(null, "", r.url + location.hash);
        return r.text();
      })
      .then(function (html) {
        swap(html, false);
        var err = document.querySelector("#live .refusal[role=alert]");
        var again = form.id && document.getElementById(form.id);
        if (err && again) again.querySelectorAll("input, textarea, select").forEach(function (el) {
          var k = key(el);
          if (!k || !(k in filled)) return;
          if (el.type === "checkbox" || el.type === "radio") el.checked = filled[k];
          else el.value = filled[k];
        });
        if (err) { err.setAttribute("tabindex", "-1"); err.focus(); }
        var pv = document.getElementById("preview");
        if (pv && data.get("_preview")) pv.focus();
      })
      .catch(function () { form.submit(); });
  });

  // The page follows every event it may read (the stream applies the reader's visibility);
  // it re-reads itself for its meeting's events and for amendments and the framework, whose
  // changes (an adoption applied, a text moved on) the desk and console show.
  // Every event type there is, written in by the server from the domain's event kinds.
  var TYPES = "__EVENT_TYPES__".split(" ");
  function onEvent(ev) {
    var d;
    try { d = JSON.parse(ev.data); } catch (e) { return; }
    if (all || d.aggregate_id === meeting || d.aggregate_type === "Amendment" || d.aggregate_type === "Framework") refresh();
  }
  // Pages about the whole record (the register, the board, the audit history, the
  // secretariat's desk) re-read themselves on any event the reader may see.
  var all = body.hasAttribute("data-live-all");
  if ((meeting || all) && window.EventSource) {
    var state = document.getElementById("live-state");
    var offline = document.getElementById("live-offline");
    // The room screen shows only its meeting, so it follows only its meeting's channel (a
    // hall may hold thousands of them); the console and the desk also follow amendments and
    // the framework.
    var scoped = body.getAttribute("data-live-scope") === "meeting";
    var es = new EventSource(scoped ? "/api/v1/stream?meeting=" + encodeURIComponent(meeting) : "/api/v1/stream");
    es.onopen = function () { if (state) state.hidden = false; if (offline) offline.hidden = true; };
    es.onerror = function () { if (state) state.hidden = true; if (offline) offline.hidden = false; };
    es.onmessage = onEvent;
    TYPES.forEach(function (t) { es.addEventListener(t, onEvent); });
  }
})();

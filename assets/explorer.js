// The API explorer (/docs): lists every route of /openapi.json with its parameters, and
// sends a request with the token typed in. Built with the DOM (text is never parsed as HTML).
"use strict";

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

// A description's text, its `code spans` (Markdown's backticks) set as code.
function prose(text) {
  return text.split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part));
}

// One route's description: its parameters, the request to send and the answer.
function operation(id, path, method, op) {
  const d = el("details", { id: `op-${id}` });
  d.append(el("summary", {}, el("span", { class: "m" }, method.toUpperCase()), " ", el("code", {}, path), " — ", ...prose(op.summary || "")));
  // A description's paragraphs are separated by a blank line (Markdown's way).
  for (const para of (op.description || "").split("\n\n")) d.append(el("p", {}, ...prose(para)));
  const params = op.parameters || [];
  if (params.length) {
    const list = el("ul", { class: "params" });
    for (const p of params) {
      const where = p.required ? `${p.in}, required` : p.in;
      list.append(el("li", {}, el("code", {}, p.name), ` (${where})`, ...(p.description ? [": ", ...prose(p.description)] : [])));
    }
    d.append(el("p", {}, "Parameters:"), list);
  }
  const form = el("form", { "data-method": method, "data-op": String(id) });
  form.append(el("label", {}, "Path with query ", el("input", { name: "path", size: "80", value: path })));
  const body = op.requestBody && op.requestBody.content;
  if (body && body["application/json"]) {
    const schema = body["application/json"].schema || {};
    const first = schema.oneOf && schema.oneOf[0];
    const example = first && first.examples ? first.examples[0] : {};
    const area = el("textarea", { name: "json" });
    area.value = JSON.stringify(example, null, 1);
    form.append(el("label", {}, "Body (JSON) ", area));
  } else if (body) {
    form.append(el("label", {}, "File ", el("input", { name: "file", type: "file" })));
  }
  form.append(el("button", { type: "submit" }, "Send"));
  d.append(form, el("pre", { id: `out-${id}`, "aria-live": "polite" }));
  return d;
}

async function send(form) {
  const out = document.getElementById(`out-${form.dataset.op}`);
  const headers = {};
  const token = document.getElementById("tok").value.trim();
  if (token) headers.Authorization = "Bearer " + token;
  let body;
  if (form.elements.json) {
    headers["Content-Type"] = "application/json";
    body = form.elements.json.value;
  } else if (form.elements.file) {
    const file = form.elements.file.files[0];
    if (file) {
      headers["Content-Type"] = file.type || "application/octet-stream";
      body = file;
    }
  }
  out.textContent = "…";
  try {
    const r = await fetch(form.elements.path.value, { method: form.dataset.method.toUpperCase(), headers, body });
    let text = await r.text();
    if (/json/.test(r.headers.get("Content-Type") || "")) {
      try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* shown as sent */ }
    }
    out.textContent = `${r.status} ${r.statusText}\n${text}`;
  } catch (e) {
    out.textContent = String(e);
  }
}

document.addEventListener("submit", (e) => {
  const form = e.target.closest("form[data-op]");
  if (!form) return;
  e.preventDefault();
  send(form);
});

fetch("/openapi.json").then((r) => r.json()).then((doc) => {
  const routes = document.getElementById("routes");
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) ops.push(operation(ops.length, path, method, op));
  }
  routes.replaceChildren(...ops);
}).catch((e) => {
  document.getElementById("routes").textContent = "Could not read /openapi.json: " + e;
});

function esc(s) { return String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }
const target = document.getElementById("api");
fetch(target.dataset.document).then(r => r.json()).then(doc => {
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags || ["other"])[0];
      (byTag[tag] = byTag[tag] || []).push({path, method, op});
    }
  }
  let html = "";
  for (const [tag, items] of Object.entries(byTag)) {
    html += "<h2>" + esc(tag) + "</h2>";
    for (const {path, method, op} of items) {
      const body = op.requestBody ? Object.values(op.requestBody.content)[0].schema : null;
      const ref = body && body.$ref ? body.$ref.split("/").pop() : null;
      const roles = (op["x-roles"] || []).length ? op["x-roles"].join(", ") : "iedereen (geen token)";
      html += '<div class="op"><span class="method ' + method + '">' + method + "</span><code>" + esc(path) +
        "</code> — " + esc(op.summary || "") + "<br><small>rollen: " + esc(roles) + "; antwoorden: " +
        Object.keys(op.responses).join(", ") + "</small>";
      if (ref) html += "<details><summary>invoer: " + esc(ref) + "</summary><pre>" +
        esc(JSON.stringify(doc.components.schemas[ref], null, 2)) + "</pre></details>";
      html += "</div>";
    }
  }
  target.innerHTML = html;
}).catch(e => { target.textContent = "Kon het OpenAPI-document niet laden: " + e; });

// The cost calculator: re-quotes through the API as the user types. The page formats no figure itself: it shows the
// ones the API wrote in the page's language (each part's "display", from core.formatting, as every other page).
(function () {
  "use strict";
  const form = document.getElementById("calculator");
  const labels = JSON.parse(document.getElementById("calculator-labels").textContent);
  const lang = document.documentElement.lang || "en";
  const rows = document.getElementById("vm-rows");
  const template = document.getElementById("vm-row");
  const result = document.getElementById("quote-result");
  const errors = document.getElementById("quote-errors");
  let pending = null;
  let sequence = 0;

  const addButton = document.getElementById("add-vm");
  const maxVmRows = Number(form.dataset.maxVmRows) || Infinity;

  // The API refuses a basket of more than its maximum of items: the page offers no more VM rows than fit in it.
  function updateAddButton() {
    addButton.disabled = rows.querySelectorAll(".vm-row").length >= maxVmRows;
  }

  function addVm() {
    if (rows.querySelectorAll(".vm-row").length >= maxVmRows) return;
    rows.appendChild(template.content.cloneNode(true));
    updateAddButton();
    schedule();
  }

  function value(name) {
    const field = form.elements[name];
    return field ? field.value.trim() : "";
  }

  function positive(name) {
    const text = value(name);
    return text !== "" && Number(text) > 0;
  }

  function basket() {
    const items = [];
    rows.querySelectorAll(".vm-row").forEach(function (row) {
      const get = (n) => row.querySelector("[name=" + n + "]").value.trim();
      items.push({ kind: "cloud-vm", tier: get("tier"), vcpu: get("vcpu"), ram_gb: get("ram_gb"), disk_gb: get("disk_gb"), count: get("count") });
    });
    if (positive("core_hours") || positive("gpu_hours")) {
      items.push({ kind: "hpc", core_hours: value("core_hours") || "0", gpu_hours: value("gpu_hours") || "0" });
    }
    if (positive("node_hours")) items.push({ kind: "gpu-booking", node_hours: value("node_hours") });
    if (positive("storage_gb")) items.push({ kind: "storage", storage_gb: value("storage_gb") });
    if (positive("backup_gb")) items.push({ kind: "backup", storage_gb: value("backup_gb") });
    if (positive("racks")) items.push({ kind: "rack", count: value("racks"), kwh: value("kwh") || "0" });
    return { period: value("period"), price_list: value("price_list"), items: items };
  }

  function schedule() {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  }

  // Which form field holds each field of a basket item, by item kind (the VM rows hold their own fields).
  const FIELDS = {
    hpc: { core_hours: "core_hours", gpu_hours: "gpu_hours" },
    "gpu-booking": { node_hours: "node_hours" },
    storage: { storage_gb: "storage_gb" },
    backup: { storage_gb: "backup_gb" },
    rack: { count: "racks", kwh: "kwh" },
  };
  const separator = lang.startsWith("fr") ? "\u00a0: " : ": ";

  function fieldFor(key, index, sent) {
    const vmRows = rows.querySelectorAll(".vm-row");
    const item = index === null ? null : sent.items[index];
    if (item && item.kind === "cloud-vm") return vmRows[index].querySelector("[name=" + key + "]");
    if (item && FIELDS[item.kind] && FIELDS[item.kind][key]) return form.elements[FIELDS[item.kind][key]];
    if (index === null && vmRows.length) return vmRows[0].querySelector("[name=" + key + "]"); // the catalogue's checks
    return form.elements[key] && form.elements[key].nodeType ? form.elements[key] : null;
  }

  function labelOf(field) {
    if (!field) return "";
    const label = field.id ? form.querySelector("label[for=" + field.id + "]") : field.closest("label");
    const text = label ? (label.querySelector(".label-text") || label).textContent.trim() : field.name;
    const row = field.closest(".vm-row");
    if (row && rows.querySelectorAll(".vm-row").length > 1) {
      const number = Array.prototype.indexOf.call(rows.querySelectorAll(".vm-row"), row) + 1;
      return row.getAttribute("aria-label") + " " + number + " — " + text;
    }
    return text;
  }

  // Turns the API's errors into sentences that name the form's own fields, and marks those fields invalid.
  function describeErrors(data, sent, index, field, out) {
    if (Array.isArray(data)) {
      data.forEach(function (entry, i) {
        if (entry && typeof entry === "object") describeErrors(entry, sent, i, field, out);
        else describeErrors(entry, sent, index, field, out);
      });
    } else if (data && typeof data === "object") {
      Object.keys(data).forEach(function (key) {
        if (key === "items" || key === "non_field_errors") describeErrors(data[key], sent, index, field, out);
        else if (/^\d+$/.test(key)) describeErrors(data[key], sent, Number(key), field, out);
        else describeErrors(data[key], sent, index, fieldFor(key, index, sent) || { name: key }, out);
      });
    } else {
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
      out.push(field ? (field.setAttribute ? labelOf(field) : field.name) + separator + data : String(data));
    }
    return out;
  }

  function cell(tag, text, className) {
    const element = document.createElement(tag);
    element.textContent = text;
    if (className) element.className = className;
    return element;
  }

  function render(quote) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    [labels.description, labels.quantity, labels.unit, labels.unit_price, labels.amount].forEach(function (text, i) {
      const th = cell("th", text, i === 1 || i >= 3 ? "num" : "");
      th.scope = "col";
      head.appendChild(th);
    });
    const body = table.createTBody();
    quote.lines.forEach(function (line) {
      const row = body.insertRow();
      row.appendChild(cell("td", line.description));
      row.appendChild(cell("td", line.display.quantity, "num"));
      row.appendChild(cell("td", line.unit));
      row.appendChild(cell("td", line.display.unit_price_ht, "num"));
      row.appendChild(cell("td", line.display.amount_ht, "num"));
    });
    const foot = table.createTFoot();
    const totals = [[labels.total_ht, quote.display.total_ht, "total-ht"]];
    quote.vat.forEach(function (vat) { totals.push([labels.vat + " " + vat.display.rate, vat.display.amount, ""]); });
    totals.push([labels.total_ttc, quote.display.total_ttc, "total-ttc"]);
    totals.forEach(function (entry) {
      const row = foot.insertRow();
      const label = cell("td", entry[0]);
      label.colSpan = 4;
      row.appendChild(label);
      const amount = cell("td", entry[1], "num");
      if (entry[2]) amount.id = entry[2];
      row.appendChild(amount);
    });
    result.replaceChildren(table);
  }

  async function update() {
    const request = basket();
    errors.replaceChildren();
    form.querySelectorAll("[aria-invalid]").forEach(function (field) { field.removeAttribute("aria-invalid"); });
    if (request.items.length === 0) {
      result.replaceChildren(cell("p", labels.empty, "muted"));
      return;
    }
    const mine = ++sequence;
    const response = await fetch(form.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang, "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      body: JSON.stringify(request),
      credentials: "same-origin",
    });
    if (mine !== sequence) return; // a newer request is on its way
    const data = await response.json();
    if (!response.ok) {
      errors.replaceChildren(cell("p", labels.error));
      const list = document.createElement("ul");
      describeErrors(data, request, null, null, []).forEach(function (text) { list.appendChild(cell("li", text)); });
      errors.appendChild(list);
      result.replaceChildren();
      return;
    }
    render(data);
  }

  addButton.addEventListener("click", addVm);
  rows.addEventListener("click", function (event) {
    if (event.target.classList.contains("remove-vm")) {
      event.target.closest(".vm-row").remove();
      updateAddButton();
      schedule();
    }
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  // The numbered quote (signed-in only): the same basket, posted as JSON; the answer is its PDF, downloaded.
  const numbered = document.getElementById("numbered-quote");
  if (numbered) {
    numbered.addEventListener("submit", function () { numbered.elements.basket.value = JSON.stringify(basket()); });
  }
  addVm();
})();

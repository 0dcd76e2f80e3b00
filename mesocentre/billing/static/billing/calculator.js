// The cost calculator: re-quotes through the API as the user types. Amounts are formatted in the page's language.
(function () {
  "use strict";
  const form = document.getElementById("calculator");
  const labels = JSON.parse(document.getElementById("calculator-labels").textContent);
  const lang = document.documentElement.lang || "en";
  const money = new Intl.NumberFormat(lang.startsWith("fr") ? "fr-FR" : "en-GB", { style: "currency", currency: "EUR" });
  const number = new Intl.NumberFormat(lang.startsWith("fr") ? "fr-FR" : "en-GB", { maximumFractionDigits: 6 });
  const rows = document.getElementById("vm-rows");
  const template = document.getElementById("vm-row");
  const result = document.getElementById("quote-result");
  const errors = document.getElementById("quote-errors");
  let pending = null;
  let sequence = 0;

  function addVm() {
    rows.appendChild(template.content.cloneNode(true));
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

  function describeErrors(data, prefix) {
    const out = [];
    if (Array.isArray(data)) {
      data.forEach(function (entry, index) {
        if (entry && typeof entry === "object") out.push.apply(out, describeErrors(entry, prefix + "#" + (index + 1) + " "));
        else out.push(prefix + entry);
      });
    } else if (data && typeof data === "object") {
      Object.keys(data).forEach(function (key) { out.push.apply(out, describeErrors(data[key], prefix + key + ": ")); });
    } else {
      out.push(prefix + data);
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
      row.appendChild(cell("td", number.format(Number(line.quantity)), "num"));
      row.appendChild(cell("td", line.unit));
      row.appendChild(cell("td", number.format(Number(line.unit_price_ht)) + " €", "num"));
      row.appendChild(cell("td", money.format(Number(line.amount_ht)), "num"));
    });
    const foot = table.createTFoot();
    const totals = [[labels.total_ht, quote.total_ht, "total-ht"]];
    quote.vat.forEach(function (vat) { totals.push([labels.vat + " " + number.format(Number(vat.rate)) + " %", vat.amount, ""]); });
    totals.push([labels.total_ttc, quote.total_ttc, "total-ttc"]);
    totals.forEach(function (entry) {
      const row = foot.insertRow();
      const label = cell("td", entry[0]);
      label.colSpan = 4;
      row.appendChild(label);
      const amount = cell("td", money.format(Number(entry[1])), "num");
      if (entry[2]) amount.id = entry[2];
      row.appendChild(amount);
    });
    result.replaceChildren(table);
  }

  async function update() {
    const request = basket();
    errors.textContent = "";
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
      describeErrors(data, "").forEach(function (text) { list.appendChild(cell("li", text)); });
      errors.appendChild(list);
      result.replaceChildren();
      return;
    }
    render(data);
  }

  document.getElementById("add-vm").addEventListener("click", addVm);
  rows.addEventListener("click", function (event) {
    if (event.target.classList.contains("remove-vm")) {
      event.target.closest(".vm-row").remove();
      schedule();
    }
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  addVm();
})();

// The order form's live estimate: as the sizes change, the form is posted as a preview ("Estimate the cost") in the
// background and the estimate the server computed (billing's calculator, the very figures the order will carry)
// replaces the page's. No price is computed here; without JavaScript the button does the same.
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  var target = document.getElementById("estimate-live");
  if (!form || !target) return;
  var timer = null;
  var sent = 0;

  function refresh() {
    var data = new FormData(form);
    data.set("preview", "1");
    data.delete("place");
    var ticket = ++sent;
    fetch(form.action || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (ticket !== sent) return; // an older answer arriving late
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("estimate-live");
        target.replaceChildren.apply(target, fresh ? Array.from(fresh.childNodes) : []);
      })
      .catch(function () { /* the button still works */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();

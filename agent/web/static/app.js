// duizhao web: a little plain JS, no build step, nothing from outside this server.
(function () {
  "use strict";

  // A long table's later rows (check_result.html.j2): shown once the first rows are on screen, so
  // laying them out does not hold up the first paint. The mark lets benchmarks/web_bench.py time it.
  var later = document.querySelectorAll("tbody.later");
  if (later.length) {
    requestAnimationFrame(function () {
      setTimeout(function () {
        later.forEach(function (body) { body.classList.remove("later"); });
        requestAnimationFrame(function () {
          requestAnimationFrame(function () { performance.mark("duizhao:all-rows"); });
        });
      }, 0);
    });
  }

  // Notes source tabs: show the panel(s) of the checked mode.
  function showMode() {
    var checked = document.querySelector("input[name=mode]:checked");
    if (!checked) return;
    document.querySelectorAll(".panel[data-mode]").forEach(function (panel) {
      panel.hidden = panel.dataset.mode.split(" ").indexOf(checked.value) < 0;
    });
    document.querySelectorAll(".tab").forEach(function (tab) {
      tab.classList.toggle("on", tab.contains(checked));
    });
  }
  document.querySelectorAll("input[name=mode]").forEach(function (r) { r.addEventListener("change", showMode); });
  showMode();

  // Rows of a list (方面, 问题): add from the <template>, remove a row.
  var counter = Date.now() % 1000000;
  document.addEventListener("click", function (ev) {
    var add = ev.target.closest("[data-add]");
    if (add) {
      var rows = add.closest("fieldset.rows");
      var tpl = rows.querySelector(":scope > template");
      var depth = rows.dataset.depth;
      counter += 1;
      var html = tpl.innerHTML.split("__R" + depth + "__").join(String(counter));
      rows.querySelector(":scope > .row-list").insertAdjacentHTML("beforeend", html);
      return;
    }
    var remove = ev.target.closest("[data-remove]");
    if (remove) {
      remove.closest(".row-box").remove();
      return;
    }
    // A paragraph of the draft: pick the section it opens in for 改写一节.
    var para = ev.target.closest("#draft-text p[data-section]");
    var select = document.getElementById("section-select");
    if (para && select) {
      var id = para.dataset.section;
      if (Array.prototype.some.call(select.options, function (o) { return o.value === id; })) {
        select.value = id;
        document.querySelectorAll("#draft-text p.picked").forEach(function (p) { p.classList.remove("picked"); });
        para.classList.add("picked");
        document.getElementById("revise-form").classList.add("flash");
        setTimeout(function () { document.getElementById("revise-form").classList.remove("flash"); }, 600);
      }
    }
  });

  // Progress of a background job: poll its status until it is finished, then reload the page.
  var box = document.querySelector(".progress[data-status-url]");
  if (box && (box.dataset.status === "queued" || box.dataset.status === "running")) {
    var url = box.dataset.statusUrl;
    var poll = function () {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var list = document.getElementById("messages");
          list.innerHTML = "";
          s.messages.forEach(function (m) {
            var li = document.createElement("li");
            li.textContent = m;
            list.appendChild(li);
          });
          document.getElementById("status-line").textContent =
            s.line || {queued: "排队中…", running: "进行中…", done: "已完成", failed: "未完成"}[s.status] || "";
          if (s.status === "done" || s.status === "failed") {
            location.reload();
            return;
          }
          setTimeout(poll, 500);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }
})();

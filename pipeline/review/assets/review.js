// zh-news-ie review page: select a relation or a mention to see its evidence.
// Reads only data-* attributes written (escaped) by the site builder and
// writes only textContent, so no article text is ever parsed as HTML.
(function () {
  "use strict";
  var panel = document.getElementById("detail");
  var FIELDS = [["kind", "type"], ["name", "name"], ["title", "title"], ["value", "value"], ["unit", "unit"],
    ["place", "place"], ["subject", "subject"], ["metric", "metric"], ["approx", "approximate"], ["per_capita", "per capita"],
    ["stage", "stage"], ["reason", "reason"], ["hint", "hint"], ["rule", "rule"], ["confidence", "confidence"], ["runner_up", "runner-up (ranker)"],
    ["start", "start"], ["end", "end"], ["sentence", "evidence sentence"]];

  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function attr(name, value) { return "[" + name + '="' + CSS.escape(value) + '"]'; }

  function show(heading, rows) {
    if (!panel) { return; }
    panel.replaceChildren();
    var h = document.createElement("h3");
    h.textContent = heading;
    panel.appendChild(h);
    var dl = document.createElement("dl");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === "") { return; }
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = row[0];
      dd.textContent = row[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    panel.appendChild(dl);
  }

  function clear(cls) { all("." + cls).forEach(function (el) { el.classList.remove(cls); }); }

  function selectFact(id, scroll) {
    clear("active");
    var item = document.querySelector("li.rel" + attr("data-fact", id));
    if (!item) { return; }
    all(attr("data-fact", id)).forEach(function (el) { el.classList.add("active"); });
    all("#relations li" + attr("data-fact", id) + " [data-ent-ref]").forEach(function (node) {
      all("mark" + attr("data-ent", node.dataset.entRef)).forEach(function (m) { m.classList.add("active"); });
    });
    var d = item.dataset;
    show(d.kind === "error" ? "error" : item.textContent.replace(/\s+/g, " ").trim(),
      FIELDS.map(function (f) { return [f[1], d[f[0]]]; }));
    var ev = document.querySelector(".ev" + attr("data-fact", id));
    if (scroll && ev) { ev.scrollIntoView({ block: "center" }); }
  }

  function selectEntity(id, scroll) {
    clear("active");
    var pieces = all("mark" + attr("data-ent", id));
    if (!pieces.length) { return; }
    pieces.forEach(function (m) { m.classList.add("active"); });
    var first = pieces[0], d = first.dataset;
    var text = pieces.map(function (m) { return m.textContent; }).join("");
    var facts = all("#relations [data-ent-ref]" + attr("data-ent-ref", id)).map(function (n) {
      var li = n.closest("li.rel");
      li.classList.add("active");
      return li.dataset.fact;
    });
    show(d.label + ": " + text, [["mention", first.getAttribute("title")], ["offsets", d.start + "–" + d.end],
      ["in relations", facts.join(", ")]]);
    if (scroll) { first.scrollIntoView({ block: "center" }); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var ref = target.closest("[data-ent-ref]");
    if (ref) { event.preventDefault(); selectEntity(ref.dataset.entRef, true); return; }
    var mark = target.closest("mark[data-ent]");
    if (mark) { selectEntity(mark.dataset.ent, false); return; }
    var fact = target.closest("li.rel[data-fact], #facts tr[data-fact]");
    if (fact) { selectFact(fact.dataset.fact, true); }
  });

  document.addEventListener("keydown", function (event) {
    var fact = event.target.closest && event.target.closest("li.rel[data-fact]");
    if (fact && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); selectFact(fact.dataset.fact, true); }
  });

  function hover(event, on) {
    var fact = event.target.closest && event.target.closest("li.rel[data-fact], #facts tr[data-fact]");
    if (!fact) { return; }
    all(".ev" + attr("data-fact", fact.dataset.fact)).forEach(function (el) { el.classList.toggle("hover", on); });
  }
  document.addEventListener("mouseover", function (e) { hover(e, true); });
  document.addEventListener("mouseout", function (e) { hover(e, false); });

  all("input[data-toggle]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.body.classList.toggle("hide-" + box.dataset.toggle, !box.checked);
    });
  });
}());

// Progressive enhancement only: every action also works as a plain form without this script.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  function renderVerdict(box, verdict) {
    box.replaceChildren();
    const head = document.createElement("p");
    if (verdict.allowed) {
      head.className = "allowed";
      head.textContent = verdict.send_after
        ? "The guard allows this text; it will be held until " + verdict.send_after + "."
        : "The guard allows this text.";
      box.append(head);
      return;
    }
    head.className = "denied";
    head.textContent = "The guard would block this text:";
    const list = document.createElement("ul");
    for (const f of verdict.failures) {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = f.rule;
      item.append(code, ": " + f.reason + (f.excerpt ? " — “" + f.excerpt + "”" : ""));
      list.append(item);
    }
    box.append(head, list);
  }

  const section = document.querySelector("section.draft");
  if (section) {
    const item = section.dataset.item;
    const draft = document.getElementById("draft");
    const box = document.getElementById("verdict");
    let timer = null;
    let seq = 0;
    async function check() {
      const mine = ++seq;
      const plan = document.getElementById("draft-plan");
      const body = new URLSearchParams({ text: draft.value, plan: plan ? plan.value : "" });
      const response = await fetch("/console/items/" + item + "/check", {
        method: "POST",
        headers: { "x-csrf-token": csrf, "content-type": "application/x-www-form-urlencoded" },
        body: body,
        credentials: "same-origin",
      });
      if (mine !== seq) return;
      if (!response.ok) {
        box.textContent = "Could not check the draft (" + response.status + ").";
        return;
      }
      renderVerdict(box, await response.json());
    }
    document.getElementById("check-button").addEventListener("click", check);
    // The plan's text is rendered on the server from terms it recomputes; the page only
    // carries the plan's key, so no figure is ever composed in the browser.
    for (const button of section.querySelectorAll("button.insert-plan")) {
      button.addEventListener("click", async function () {
        const key = button.dataset.plan;
        const response = await fetch(
          "/console/items/" + item + "/plans/" + encodeURIComponent(key),
          { credentials: "same-origin" },
        );
        if (!response.ok) {
          box.textContent = "Could not load the plan (" + response.status + "); reload the page.";
          return;
        }
        const offer = await response.json();
        draft.value = offer.text;
        document.getElementById("draft-plan").value = offer.plan;
        draft.focus();
        check();
      });
    }
    draft.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 600);
    });
    draft.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        document.getElementById("send-form").requestSubmit();
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "n") {
      const next = document.getElementById("next-item");
      if (next) { event.preventDefault(); window.location = next.href; }
    } else if (event.key === "r") {
      const draft = document.getElementById("draft");
      if (draft) { event.preventDefault(); draft.focus(); }
    } else if (event.key === "e") {
      const outcome = document.getElementById("outcome");
      if (outcome) { event.preventDefault(); outcome.focus(); }
    }
  });
})();

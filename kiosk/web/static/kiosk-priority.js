// The kiosk's priority categories: "Tôi thuộc diện ưu tiên" opens a
// screen of the office's categories ([[priority]]: người cao tuổi, người
// khuyết tật, ...); the one chosen goes with the ticket (kiosk.category)
// and is printed on it. Touching the box again takes the priority off.
import { $, el, fill, api } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";

let categories = [];
const box = $("#priority");
const hint = box.querySelector("small");
const defaultHint = hint ? hint.textContent : "";

const screen = kiosk.addScreen("priority", {
  onBack: () => kiosk.home(),
  speak: () => ["guide-priority"], // a clip of the voice pack
});
screen.classList.add("checkin");
screen.append(
  el("div", { class: "ci-top" },
    el("button", { class: "back", type: "button", id: "prio-back", onclick: () => kiosk.home() }, "← Quay lại"),
    el("h1", {}, "Quý khách thuộc diện ưu tiên nào?")),
  el("div", { id: "prio-list", class: "services", role: "group", "aria-label": "Diện ưu tiên" }),
  el("button", { class: "ci-ok", type: "button", id: "prio-none", onclick: () => choose(null) }, "Không thuộc diện ưu tiên"));

function choose(c) {
  kiosk.home(); // the start screen clears the box as it shows: set it after
  kiosk.category = c ? c.code : "";
  box.setAttribute("aria-pressed", c ? "true" : "false");
  if (hint) hint.textContent = c ? c.name : defaultHint;
}

// Before kiosk.js's own toggle: turning the box on picks a category.
box.addEventListener("click", (e) => {
  if (!categories.length) return; // the plain check box
  if (box.getAttribute("aria-pressed") === "true") {
    kiosk.category = "";
    if (hint) hint.textContent = defaultHint;
    return; // kiosk.js turns it off
  }
  e.stopImmediatePropagation();
  fill($("#prio-list"), categories.map((c) =>
    el("button", { class: "svc", type: "button", dataset: { category: c.code }, onclick: () => choose(c) },
      el("span", { class: "name" }, c.name))));
  kiosk.show("priority");
}, { capture: true });

// A new citizen starts without a category.
kiosk.listeners.push((what, name) => {
  const cleared = what === "screen" && name === "start" && box.getAttribute("aria-pressed") !== "true";
  if (cleared || (what === "screen" && name === "ticket") || what === "idle") {
    kiosk.category = "";
    if (hint) hint.textContent = defaultHint;
  }
});

api("GET", "/api/v1/priorities").then((res) => {
  if (res && res.ok) categories = res.data.priorities;
});

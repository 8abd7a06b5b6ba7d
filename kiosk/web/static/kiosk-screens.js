// The kiosk's screens and how a citizen moves between them: by touch, by a
// small keypad (arrows, OK, back; a USB keypad or the GPIO buttons that
// the daemon passes on) and, in guidance mode, by ear.
//
// A screen is a <section class="screen" data-screen="NAME"> inside
// <main id="screens">. kiosk.js owns "start" and "ticket"; other scripts
// add their own screens (a check-in, a catalogue, ...) in their own file:
//
//   import { kiosk } from "/static/kiosk-screens.js";
//   kiosk.addScreen("checkin", { onShow() {...}, speak() { return [...] } });
//   kiosk.addEntry({ id: "checkin", label: "Tôi có lịch hẹn",
//                    hint: "quét mã hoặc nhập mã hẹn", onclick: () => kiosk.show("checkin") });
//
// and add their <section> (or build it) and their <script type="module">
// to kiosk.html. kiosk.show(name) switches screens; kiosk.home() goes back
// to the start; kiosk.issue(body, label) takes a ticket and shows it;
// kiosk.state is the latest state of the room.
"use strict";

const screens = new Map(); // name -> {el, onShow, onHide, speak}
let current = "start";

// Keys of a keypad: a USB keypad sends these keys; GPIO buttons arrive as
// the same names from the daemon (see pages.md, "Keypad").
const keyNames = {
  ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right",
  Enter: "ok", NumpadEnter: "ok", " ": "ok",
  Escape: "back", Backspace: "back",
  F1: "guide", NumpadMultiply: "guide",
};

export const kiosk = {
  // state is the room's state, kept up to date by kiosk.js.
  state: null,
  // issue(body, label) is set by kiosk.js: it posts body to
  // /api/v1/tickets and shows the ticket (label names the service).
  issue: null,
  // showTicket(ticket, label) shows a ticket taken elsewhere (a check-in).
  showTicket: null,
  // listeners are called as f(what, arg) when the keypad moves the focus
  // ("focus", element), a screen shows ("screen", name), back is pressed
  // ("back", screen), the guidance key is pressed ("guide") or the kiosk
  // went idle ("idle"); the spoken guidance follows them.
  listeners: [],

  addScreen(name, opts = {}) {
    let el = document.querySelector(`#screens > [data-screen="${name}"]`);
    if (!el) {
      el = document.createElement("section");
      el.className = "screen";
      el.dataset.screen = name;
      el.hidden = true;
      document.getElementById("screens").append(el);
    }
    screens.set(name, { el, ...opts });
    return el;
  },

  // addEntry adds a button to the start screen, under the services.
  // say is what the spoken guidance reads for it (parts of
  // /voice/guide.wav, such as ["guide-catalogue"]).
  addEntry({ id, label, hint, onclick, say }) {
    const box = document.getElementById("entries");
    const b = document.createElement("button");
    b.type = "button";
    b.className = "entry";
    b.id = "entry-" + id;
    if (say) b.dataset.say = say.join(",");
    const l = document.createElement("span");
    l.className = "name";
    l.textContent = label;
    b.append(l);
    if (hint) {
      const h = document.createElement("span");
      h.className = "meta";
      h.textContent = hint;
      b.append(h);
    }
    b.addEventListener("click", onclick);
    box.append(b);
    box.hidden = false;
    return b;
  },

  current() {
    return current;
  },

  show(name, ...args) {
    const next = screens.get(name);
    if (!next) throw new Error("kiosk: no screen " + name);
    const prev = screens.get(current);
    if (prev && current !== name) {
      prev.el.hidden = true;
      if (prev.onHide) prev.onHide();
    }
    current = name;
    next.el.hidden = false;
    document.body.dataset.shown = name;
    if (next.onShow) next.onShow(...args);
    const first = focusables()[0];
    if (first && document.body.classList.contains("keyed")) first.focus();
    for (const f of kiosk.listeners) f("screen", name);
  },

  home() {
    kiosk.show("start");
  },

  // focusables lists what the keypad moves between on the current screen.
  focusables,

  // press handles a keypad key by name: up, down, left, right, ok, back,
  // guide. It returns whether the key did something.
  press(name) {
    document.body.classList.add("keyed");
    const list = focusables();
    const at = list.indexOf(document.activeElement);
    switch (name) {
      case "up":
      case "left":
      case "down":
      case "right": {
        if (!list.length) return false;
        const step = name === "up" || name === "left" ? -1 : 1;
        const i = at < 0 ? (step > 0 ? 0 : list.length - 1) : (at + step + list.length) % list.length;
        list[i].focus();
        for (const f of kiosk.listeners) f("focus", list[i]);
        return true;
      }
      case "ok":
        if (at < 0) {
          if (!list.length) return false;
          list[0].focus();
          for (const f of kiosk.listeners) f("focus", list[0]);
          return true;
        }
        list[at].click();
        return true;
      case "back": {
        const s = screens.get(current);
        if (s && s.onBack) s.onBack();
        else if (current !== "start") kiosk.home();
        for (const f of kiosk.listeners) f("back", current);
        return true;
      }
      case "guide":
        for (const f of kiosk.listeners) f("guide");
        return true;
    }
    return false;
  },

  // speak returns what guidance reads for the current screen (see
  // kiosk-guide.js); a screen gives it with its speak option.
  speakScreen() {
    const s = screens.get(current);
    return s && s.speak ? s.speak() : [];
  },
};

function focusables() {
  const s = screens.get(current);
  if (!s) return [];
  return [...s.el.querySelectorAll("button, [href], input, select, [tabindex]:not([tabindex='-1'])")]
    .filter((e) => !e.disabled && !e.closest("[hidden]") && e.getClientRects().length > 0);
}

document.addEventListener("keydown", (e) => {
  const name = keyNames[e.key] || keyNames[e.code];
  if (!name) return;
  // Typing in a field keeps its keys (a screen with an input box).
  const t = e.target;
  if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA") && !["up", "down", "ok", "guide"].includes(name)) {
    if (name !== "back" || t.value !== "") return;
  }
  if (kiosk.press(name)) e.preventDefault();
});
document.addEventListener("pointerdown", () => document.body.classList.remove("keyed"), { capture: true });

window.motcuaKiosk = Object.assign(window.motcuaKiosk || {}, { screens: kiosk });

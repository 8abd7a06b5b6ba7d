// The kiosk's spoken guidance, for citizens who cannot read the screen:
// started by the "Hướng dẫn bằng giọng nói" button on the screen, by its
// physical button (GPIO, passed on by the daemon, or F1 / * on a USB
// keypad) or by a long touch anywhere; it reads the screen's choices as
// the keypad moves between them and reads the ticket aloud (number,
// service, people ahead), on the kiosk's own audio output. The sound is
// built by the daemon from the voice pack (/voice/guide.wav?say=...).
import { $ } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";

const LONG_TOUCH_MS = 2000; // a touch held this long starts the guidance

// window.motcuaKiosk.spoken records every guidance played: the parts
// asked for, the clips the daemon built it from, and how it ended.
const spoken = [];
window.motcuaKiosk = Object.assign(window.motcuaKiosk || {}, { spoken });

let on = false;
let audio = null; // the guidance playing
let chain = Promise.resolve();
let generation = 0; // a newer utterance cancels the queue of older ones

function setOn(v) {
  on = v;
  $("#guide").setAttribute("aria-pressed", v ? "true" : "false");
  document.body.classList.toggle("guided", v);
}

// say plays the parts after what is playing; interrupt stops that first
// (moving between choices must not wait for the last one to finish).
function say(parts, interrupt) {
  if (!parts.length) return;
  if (interrupt) {
    generation++;
    if (audio) audio.pause();
  }
  const gen = generation;
  const rec = { say: parts.join(","), clips: null, status: "queued" };
  spoken.push(rec);
  const url = "/voice/guide.wav?say=" + encodeURIComponent(rec.say);
  const wav = fetch(url, { credentials: "same-origin" }).then(async (r) => {
    rec.clips = r.headers.get("X-Motcua-Clips");
    return r.ok ? r.blob() : null;
  }).catch(() => null);
  chain = chain.then(async () => {
    if (gen !== generation) { rec.status = "cancelled"; return; }
    const blob = await wav;
    if (!blob) { rec.status = "no sound"; return; }
    if (gen !== generation) { rec.status = "cancelled"; return; }
    rec.status = "playing";
    const u = URL.createObjectURL(blob);
    try {
      await play(u);
      rec.status = rec.status === "playing" ? "played" : rec.status;
    } catch (e) {
      rec.status = "failed: " + (e && e.name ? e.name : e);
    }
    URL.revokeObjectURL(u);
  });
}

function play(url) {
  return new Promise((resolve, reject) => {
    const a = new Audio(url);
    audio = a;
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      if (audio === a) audio = null;
      err ? reject(err) : resolve();
    };
    const guard = setTimeout(() => finish(new Error("timeout")), 20000);
    a.addEventListener("ended", () => finish());
    a.addEventListener("pause", () => finish());
    a.addEventListener("error", () => finish(new Error("media error")));
    a.play().catch((e) => finish(e));
  });
}

// place is a service's place on the screen (1, 2, ...), said when the pack
// has no clip with the service's name.
function servicePart(id) {
  const st = kiosk.state;
  const i = st ? st.services.findIndex((s) => s.id === id) : -1;
  return `s:${id}:${i + 1}`;
}

function pressed(b) {
  return b.getAttribute("aria-pressed") === "true" ? "guide-selected" : "guide-not-selected";
}

// entrySay reads the entries of the other screens on the start screen.
const entrySay = { "entry-catalogue": "guide-catalogue", "entry-checkin": "guide-checkin", "entry-idcard": "guide-idcard" };

// describe is what guidance says for a choice. A screen added by another
// script describes its buttons with data-say="part,part,...".
function describe(e) {
  if (!e) return [];
  if (e.dataset.say) return e.dataset.say.split(",");
  if (entrySay[e.id]) return [entrySay[e.id]];
  if (e.dataset.service) {
    const s = kiosk.state && kiosk.state.services.find((x) => x.id === e.dataset.service);
    const parts = [servicePart(e.dataset.service)];
    if (s) parts.push(...(s.waiting.length ? [`n:${s.waiting.length}`, "guide-people-waiting"] : ["guide-none-waiting"]));
    return parts;
  }
  switch (e.id) {
    case "priority": return ["guide-priority", pressed(e)];
    case "large": return ["guide-large-text", pressed(e)];
    case "guide": return ["guide-guide", pressed(e)];
    case "t-done": return ["guide-done"];
  }
  return [];
}

// ticketParts reads a ticket: its number, service, place in the queue and
// where to take it.
function ticketParts(t) {
  const parts = ["guide-your-number", "t:" + t.number];
  if (t.priority) parts.push("guide-priority-short");
  parts.push(servicePart(t.service));
  const open = kiosk.state ? kiosk.state.counters.some((c) => c.state !== "closed" && (c.services || []).includes(t.service)) : true;
  if (!open) parts.push(...(t.ahead > 0 ? ["guide-ahead", `n:${t.ahead}`, "guide-people"] : []), "guide-not-open");
  else parts.push(...(t.ahead > 0 ? ["guide-ahead", `n:${t.ahead}`, "guide-people"] : ["guide-next"]));
  if (t.printed || t.satellite) parts.push("guide-take-ticket");
  else if (t.print_error) parts.push("guide-print-failed");
  return parts;
}

function start() {
  setOn(true);
  document.body.classList.add("keyed");
  say(["guide-on"], true);
  readScreen();
}

function stop() {
  say(["guide-off"], true);
  setOn(false);
}

function readScreen() {
  const cur = kiosk.current();
  if (cur === "start") say(["guide-choose-service"]);
  else if (cur === "ticket" && window.motcuaKiosk.last) say(ticketParts(window.motcuaKiosk.last));
  else say(kiosk.speakScreen());
  // The first choice gets the keypad's ring, and is read.
  const first = kiosk.focusables()[0];
  if (first && cur !== "ticket") {
    first.focus();
    say(describe(first));
  }
}

kiosk.listeners.push((what, arg) => {
  if (what === "guide") {
    on ? stop() : start();
    return;
  }
  if (!on) return;
  if (what === "focus") say(describe(arg), true);
  else if (what === "screen") {
    generation++;
    if (audio) audio.pause();
    readScreen();
  } else if (what === "idle") setOn(false);
});

$("#guide").addEventListener("click", () => (on ? stop() : start()));

// A long touch anywhere starts the guidance (for someone who cannot find
// the button).
let longTimer = null;
let longFired = false;
document.addEventListener("pointerdown", (e) => {
  clearTimeout(longTimer);
  longFired = false;
  const x = e.clientX, y = e.clientY;
  longTimer = setTimeout(() => {
    if (on) return;
    longFired = true;
    start();
  }, LONG_TOUCH_MS);
  const cancel = (ev) => {
    if (ev.type === "pointermove" && Math.hypot(ev.clientX - x, ev.clientY - y) < 20) return;
    clearTimeout(longTimer);
    document.removeEventListener("pointerup", cancel);
    document.removeEventListener("pointercancel", cancel);
    document.removeEventListener("pointermove", cancel);
  };
  document.addEventListener("pointerup", cancel);
  document.addEventListener("pointercancel", cancel);
  document.addEventListener("pointermove", cancel);
}, { capture: true });
// The touch that started the guidance chooses nothing.
document.addEventListener("click", (e) => {
  if (!longFired) return;
  longFired = false;
  e.preventDefault();
  e.stopPropagation();
}, { capture: true });

// The daemon's keypad (GPIO buttons) arrives as server-sent events.
function listenKeys() {
  const es = new EventSource("/kiosk/keys");
  es.onopen = () => { window.motcuaKiosk.keys = "open"; };
  es.onerror = () => { window.motcuaKiosk.keys = "reconnecting"; };
  es.onmessage = (m) => kiosk.press(m.data);
}
listenKeys();

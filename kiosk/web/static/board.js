// /board: the waiting-room TV. Shows every counter and the latest calls,
// highlights and speaks each new call, one announcement at a time.
import { $, el, fill, start, Live, Model, serverNow, clockText, fitAll, watchFit } from "/static/common.js";

const RECENT = 8; // calls listed
const HIGHLIGHT_MS = 10000; // how long a new call blinks
const REPLAY_MAX_AGE_MS = 120000; // calls missed while offline still spoken if younger
const MAX_QUEUE = 6; // announcements waiting at most; older ones are dropped

const model = new Model();
let recent = []; // [{ticket, counter, at, seq}] newest first
let highlight = null; // {ticket id, counter, until}

// window.motcuaBoard is read by tests and by anyone debugging a TV:
// renders records when each call reached the DOM, announcements what was
// (to be) spoken.
const board = (window.motcuaBoard = { renders: [], announcements: [] });

function callText(number, counter) {
  return { l1: "Mời công dân có số", num: number, l2: `đến quầy số ${counter}` };
}

function render() {
  const st = model.state;
  if (!st) return;
  $("#unit").textContent = st.unit.name;
  document.title = "Bảng gọi số – " + st.unit.name;
  const now = Date.now();
  const hl = highlight && highlight.until > now ? highlight : null;

  const last = recent[0];
  const call = $("#call");
  if (last) {
    const t = callText(last.ticket.number, last.counter);
    call.classList.remove("idle");
    $("#call-text .l1").textContent = t.l1 + " ";
    $("#call-number").textContent = t.num;
    $("#call-where").textContent = " " + t.l2;
  } else {
    call.classList.add("idle");
    $("#call-text .l1").textContent = "Xin kính chào quý khách";
    $("#call-number").textContent = "";
    $("#call-where").textContent = "";
  }
  call.classList.toggle("new", !!(hl && last && hl.id === last.ticket.id));

  // Tiles are kept and updated in place so that a blinking tile does not
  // restart its animation on every event.
  const box = $("#counters");
  const ids = st.counters.map((c) => c.id).join(",");
  if (box.dataset.ids !== ids) {
    box.dataset.ids = ids;
    fill(box, st.counters.map((c) => el("div", { class: "tile", dataset: { counter: c.id } },
      el("span", { class: "name fit" }), el("span", { class: "serving fit" }), el("span", { class: "state fit" }))));
  }
  st.counters.forEach((c, i) => {
    const tile = box.children[i];
    let serving = "—";
    let state = "";
    if (c.state === "closed") { serving = ""; state = "Đóng"; }
    else if (c.state === "paused") { serving = "Tạm nghỉ"; state = c.reason || ""; }
    else if (c.serving) serving = c.serving.number;
    else state = "Đang chờ số";
    tile.classList.toggle("open", c.state === "open");
    tile.classList.toggle("paused", c.state === "paused");
    tile.classList.toggle("closed", c.state === "closed");
    tile.classList.toggle("new", !!(hl && hl.counter === c.id && c.serving && c.serving.id === hl.id));
    tile.querySelector(".name").textContent = c.name;
    tile.querySelector(".serving").textContent = serving;
    tile.querySelector(".state").textContent = state;
  });

  const list = $("#recent");
  fill(list, recent.map((r) =>
    el("li", {}, el("b", {}, r.ticket.number), ` → quầy ${r.counter}`)));
  fitAll();
  // Older calls that do not fit the row are left out, never cut.
  while (list.children.length > 1 && list.scrollWidth > list.clientWidth) list.lastElementChild.remove();
}

// fromSnapshot rebuilds the latest calls from the tickets being served.
function fromSnapshot(st) {
  recent = st.counters
    .filter((c) => c.serving && c.serving.status === "called")
    .map((c) => ({ ticket: c.serving, counter: c.id, at: c.serving.called_at, seq: 0 }))
    .sort((a, b) => (a.at < b.at ? 1 : -1))
    .slice(0, RECENT);
}

function onEvent(ev) {
  if (ev.event === "day.started") recent = [];
  model.apply(ev);
  if ((ev.event === "ticket.called" || ev.event === "ticket.recalled") && ev.ticket) {
    const t = ev.ticket;
    const counter = t.counter || (ev.counter && ev.counter.id);
    recent = [{ ticket: t, counter, at: ev.at, seq: ev.seq }, ...recent.filter((r) => r.ticket.id !== t.id)].slice(0, RECENT);
    highlight = { id: t.id, counter, until: Date.now() + HIGHLIGHT_MS };
    // A recall blinks again from the start.
    for (const n of document.querySelectorAll(".new")) n.classList.remove("new");
    void document.body.offsetWidth;
    setTimeout(render, HIGHLIGHT_MS + 50);
    render();
    board.renders.push({ number: t.number, counter, seq: ev.seq, event: ev.event, at: Date.now() });
    requestAnimationFrame(() => {
      board.renders[board.renders.length - 1].frame = Date.now();
    });
    const age = serverNow() - new Date(ev.at).getTime();
    if (age < REPLAY_MAX_AGE_MS) announce(t.number, counter, ev.event === "ticket.recalled", ev.seq);
    return;
  }
  render();
}

// The announcements: each call's WAV is fetched at once and played after
// the ones before it; two calls never speak over each other.
const queue = [];
let playing = false;

function announce(number, counter, recall, seq) {
  const a = { number, counter, recall, seq, queuedAt: Date.now(), status: "queued" };
  board.announcements.push(a);
  const url = `/voice/call.wav?number=${encodeURIComponent(number)}&counter=${encodeURIComponent(counter)}`;
  a.wav = fetch(url, { credentials: "same-origin" })
    .then((r) => {
      a.fetched = r.status;
      return r.ok ? r.blob() : null;
    })
    .catch(() => { a.fetched = 0; return null; });
  queue.push(a);
  while (queue.length > MAX_QUEUE) {
    const dropped = queue.shift();
    dropped.status = "dropped";
  }
  playNext();
}

async function playNext() {
  if (playing || queue.length === 0) return;
  playing = true;
  const a = queue.shift();
  a.status = "playing";
  a.startedAt = Date.now();
  const blob = await a.wav;
  if (blob) {
    const url = URL.createObjectURL(blob);
    try {
      await playOne(url);
      a.status = "played";
    } catch (e) {
      a.status = "failed: " + (e && e.name ? e.name : e);
    }
    URL.revokeObjectURL(url);
  } else {
    a.status = "no sound";
  }
  a.endedAt = Date.now();
  playing = false;
  playNext();
}

// playOne resolves when the sound ended; a sound that cannot play (no
// audio device, autoplay refused) ends the wait after a bound, so that one
// bad call never blocks the next.
function playOne(url) {
  return new Promise((resolve, reject) => {
    const audio = new Audio(url);
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      err ? reject(err) : resolve();
    };
    const guard = setTimeout(() => finish(new Error("timeout")), 15000);
    audio.addEventListener("ended", () => finish());
    audio.addEventListener("error", () => finish(new Error("media error")));
    audio.addEventListener("loadedmetadata", () => {
      clearTimeout(guard);
      const ms = (isFinite(audio.duration) ? audio.duration : 10) * 1000 + 3000;
      setTimeout(() => finish(), ms);
    });
    audio.play().catch((e) => finish(e));
  });
}

function tick() {
  $("#clock").textContent = clockText(serverNow());
}
setInterval(tick, 1000);
watchFit(render);

start("board").then(() => {
  tick();
  new Live({
    onSnapshot: (st) => {
      model.set(st);
      fromSnapshot(st);
      render();
    },
    onEvent,
  });
});

// /kiosk: the touch screen where citizens take a number.
import { $, el, fill, api, start, Live, Model, minutes, errorText, fitAll, watchFit } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";

const IDLE_MS = 30000; // back to the start after this long without a touch
const SHOW_MS = 20000; // how long a printed ticket stays on screen
const SHOW_FAILED_MS = 60000; // longer when it must be photographed

const model = new Model();
let busy = false;
let idleTimer = null;
let backTimer = null;

// window.motcuaKiosk lets tests and technicians see the last ticket.
window.motcuaKiosk = Object.assign(window.motcuaKiosk || {}, { last: null });

// openFor tells which services a counter open (or paused, back soon) serves.
function openFor(st) {
  const open = new Set();
  for (const c of st.counters) if (c.state !== "closed") (c.services || []).forEach((s) => open.add(s));
  return open;
}

function render() {
  const st = model.state;
  if (!st) return;
  kiosk.state = st;
  $("#unit").textContent = st.unit.name;
  const open = openFor(st);
  // Buttons are updated in place, never rebuilt while a finger may be on
  // one: a rebuilt button would lose the touch.
  const box = $("#services");
  const ids = st.services.map((s) => s.id).join("\n");
  if (box.dataset.ids !== ids) {
    box.dataset.ids = ids;
    fill(box, st.services.map((s) =>
      el("button", { class: "svc", type: "button", dataset: { service: s.id }, onclick: () => take(s.id) },
        el("span", { class: "name" }), el("span", { class: "meta" }))));
  }
  st.services.forEach((s, i) => {
    const b = box.children[i];
    b.disabled = busy;
    b.querySelector(".name").textContent = s.name;
    b.querySelector(".meta").textContent =
      (s.waiting.length ? `${s.waiting.length} người đang chờ` : "Không có ai đang chờ") +
      (open.has(s.id) ? "" : " · quầy chưa mở");
  });
  const printer = st.devices.find((d) => d.name === "printer");
  const n = $("#notice");
  if (printer && printer.status === "error") {
    n.textContent = "Máy in phiếu đang gặp sự cố: số thứ tự sẽ hiện trên màn hình, xin hãy ghi nhớ hoặc chụp ảnh.";
    n.hidden = false;
  } else if (!n.dataset.sticky) {
    n.hidden = true;
  }
  fitAll();
}

function say(text) {
  const n = $("#notice");
  n.textContent = text;
  n.hidden = false;
  n.dataset.sticky = "1";
  setTimeout(() => { delete n.dataset.sticky; render(); }, 6000);
}

async function take(id) {
  const s = model.state.services.find((x) => x.id === id);
  if (busy || !s) return;
  const priority = $("#priority").getAttribute("aria-pressed") === "true";
  // kiosk.category is the priority category chosen (kiosk-priority.js).
  await issue({ service: s.id, priority, ...(priority && kiosk.category ? { category: kiosk.category } : {}) }, s.name);
}

// issue takes a ticket and shows it; label names its service.
async function issue(body, label) {
  if (busy) return null;
  busy = true;
  render();
  const res = await api("POST", "/api/v1/tickets", body);
  busy = false;
  render();
  if (!res || !res.ok) {
    if (res && res.status === 401) return null;
    say(errorText(res));
    return null;
  }
  show(res.data, label);
  return res.data;
}

// aheadText says where the ticket stands. When no counter serves its
// service yet, the citizen is not "next": nobody will call yet.
function aheadText(t) {
  const open = model.state ? openFor(model.state).has(t.service) : true;
  if (!open) {
    return t.ahead > 0
      ? `Trước quý khách còn ${t.ahead} người. Chưa có quầy nào mở cho lĩnh vực này, xin chờ quầy mở.`
      : "Chưa có quầy nào mở cho lĩnh vực này. Quý khách sẽ được gọi khi quầy mở.";
  }
  return t.ahead > 0 ? `Trước quý khách còn ${t.ahead} người` : "Quý khách là người tiếp theo";
}

function show(t, label) {
  window.motcuaKiosk.last = t;
  const failed = !t.printed && !!t.print_error;
  const open = model.state ? openFor(model.state).has(t.service) : true;
  $("#t-number").textContent = t.number;
  $("#t-service").textContent = label || "";
  $("#t-priority").hidden = !t.priority;
  $("#t-ahead").textContent = aheadText(t);
  $("#t-wait").textContent = t.ahead > 0 && open ? `Thời gian chờ dự kiến: ${minutes(t.estimated_wait_s)}` : "";
  $("#t-print").textContent = failed
    ? "Máy in không in được phiếu. Xin hãy ghi nhớ hoặc chụp ảnh số thứ tự này."
    : t.printed || t.satellite
      ? "Xin mời nhận phiếu ở khe máy in phía dưới."
      : "Xin hãy ghi nhớ số thứ tự này.";
  $("#ticket").classList.toggle("failed", failed);
  kiosk.show("ticket", t, label);
  clearTimeout(backTimer);
  backTimer = setTimeout(() => kiosk.home(), failed ? SHOW_FAILED_MS : SHOW_MS);
}

kiosk.issue = issue;
kiosk.showTicket = show;
kiosk.aheadText = aheadText;
kiosk.addScreen("start", {
  onShow() {
    clearTimeout(backTimer);
    $("#priority").setAttribute("aria-pressed", "false");
    fitAll();
  },
});
kiosk.addScreen("ticket", {
  onShow: () => fitAll(),
  onHide() {
    $("#large").setAttribute("aria-pressed", "false");
    document.body.classList.remove("large");
  },
});

// reset forgets the choices of the last citizen.
function reset() {
  for (const id of ["#priority", "#large"]) $(id).setAttribute("aria-pressed", "false");
  document.body.classList.remove("large");
  fitAll();
}

// touched restarts the idle timer. A ticket on screen has its own timer
// (longer when the printer failed and the number must be photographed).
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (kiosk.current() === "ticket") return;
    kiosk.home();
    reset();
    for (const f of kiosk.listeners) f("idle");
  }, IDLE_MS);
}

function toggle(b) {
  const on = b.getAttribute("aria-pressed") !== "true";
  b.setAttribute("aria-pressed", on ? "true" : "false");
  return on;
}

$("#priority").addEventListener("click", (e) => toggle(e.currentTarget));
$("#large").addEventListener("click", (e) => {
  document.body.classList.toggle("large", toggle(e.currentTarget));
  fitAll();
});
$("#t-done").addEventListener("click", () => kiosk.home());
document.addEventListener("pointerdown", touched, { capture: true });
document.addEventListener("keydown", touched, { capture: true });
document.addEventListener("contextmenu", (e) => e.preventDefault());
watchFit();

// The least touch target is 15 mm on the kiosk's own screen: its diagonal
// in inches comes from the start URL (/kiosk?inches=21.5; default 21.5,
// the usual kiosk screen).
const inches = Number(new URLSearchParams(location.search).get("inches")) || 21.5;
function targetSize() {
  const pxPerMM = Math.hypot(innerWidth, innerHeight) / (inches * 25.4);
  window.motcuaKiosk.pxPerMM = pxPerMM;
  document.documentElement.style.setProperty("--target", Math.ceil(15 * pxPerMM) + "px");
}
targetSize();
window.addEventListener("resize", targetSize);

start("kiosk").then((s) => {
  kiosk.session = s;
  new Live({
    onSnapshot: (st) => { model.set(st); render(); },
    onEvent: (ev) => {
      model.apply(ev);
      render();
    },
  });
});

// /kiosk: the touch screen where citizens take a number.
import { $, el, fill, api, start, Live, Model, minutes, errorText } from "/static/common.js";

const IDLE_MS = 30000; // back to the start after this long without a touch
const SHOW_MS = 20000; // how long a printed ticket stays on screen
const SHOW_FAILED_MS = 60000; // longer when it must be photographed

const model = new Model();
let busy = false;
let idleTimer = null;
let backTimer = null;

// window.motcuaKiosk lets tests and technicians see the last ticket.
window.motcuaKiosk = { last: null };

function render() {
  const st = model.state;
  if (!st) return;
  $("#unit").textContent = st.unit.name;
  const open = new Set();
  for (const c of st.counters) if (c.state !== "closed") c.services.forEach((s) => open.add(s));
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
    n.textContent = "Máy in vé đang gặp sự cố: số thứ tự sẽ hiện trên màn hình, xin hãy ghi nhớ hoặc chụp ảnh.";
    n.hidden = false;
  } else if (!n.dataset.sticky) {
    n.hidden = true;
  }
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
  busy = true;
  render();
  const priority = $("#priority").getAttribute("aria-pressed") === "true";
  const res = await api("POST", "/api/v1/tickets", { service: s.id, priority });
  busy = false;
  render();
  if (!res || !res.ok) {
    if (res && res.status === 401) return;
    say(errorText(res));
    return;
  }
  show(res.data, s);
}

function show(t, s) {
  window.motcuaKiosk.last = t;
  const failed = !t.printed && !!t.print_error;
  $("#t-number").textContent = t.number;
  $("#t-service").textContent = s.name;
  $("#t-priority").hidden = !t.priority;
  $("#t-ahead").textContent = t.ahead > 0 ? `Trước quý khách còn ${t.ahead} người` : "Quý khách là người tiếp theo";
  $("#t-wait").textContent = t.ahead > 0 ? `Thời gian chờ dự kiến: ${minutes(t.estimated_wait_s)}` : "";
  $("#t-print").textContent = failed
    ? "Máy in không in được vé. Xin hãy ghi nhớ hoặc chụp ảnh số thứ tự này."
    : t.printed
      ? "Xin mời nhận vé ở khe máy in phía dưới."
      : "Xin hãy ghi nhớ số thứ tự này.";
  $("#ticket").classList.toggle("failed", failed);
  $("#start").hidden = true;
  $("#ticket").hidden = false;
  clearTimeout(backTimer);
  backTimer = setTimeout(home, failed ? SHOW_FAILED_MS : SHOW_MS);
}

function home() {
  clearTimeout(backTimer);
  $("#ticket").hidden = true;
  $("#start").hidden = false;
  $("#priority").setAttribute("aria-pressed", "false");
}

// touched restarts the idle timer. A ticket on screen has its own timer
// (longer when the printer failed and the number must be photographed).
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { if ($("#ticket").hidden) home(); }, IDLE_MS);
}

$("#priority").addEventListener("click", (e) => {
  const b = e.currentTarget;
  b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
});
$("#t-done").addEventListener("click", home);
document.addEventListener("pointerdown", touched, { capture: true });
document.addEventListener("contextmenu", (e) => e.preventDefault());

start("kiosk").then(() => {
  new Live({
    onSnapshot: (st) => { model.set(st); render(); },
    onEvent: (ev) => {
      model.apply(ev);
      render();
    },
  });
});

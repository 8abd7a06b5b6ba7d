// /admin: the office at a glance: figures of the day, counters, services,
// devices and the latest events.
import { $, el, fill, api, start, errorText, Live, Model, debounce, clockText, eventText, stateText, deviceText } from "/static/common.js";

const TAIL = 100;
const model = new Model();
let figs = null;
const tail = []; // newest first

const deviceName = { printer: "Máy in phiếu", uplink: "Kết nối lên hệ thống một cửa", voice: "Loa gọi số", button: "Nút bấm", eventlog: "Bộ nhớ sự kiện" };

// deviceLabel names a device of the state in Vietnamese: "display 1" is
// "Màn hình 1" (the glossary's words), "keypad 6" "Bàn phím 6".
function deviceLabel(name) {
  if (deviceName[name]) return deviceName[name];
  const m = /^(display|keypad|button|scanner) (.*)$/.exec(name);
  if (!m) return name;
  const rest = m[2].replace(/^counter (\d+)$/, "quầy $1").replace(/^kiosk$/, "máy lấy số");
  return { display: "Màn hình", keypad: "Bàn phím", button: "Nút", scanner: "Máy quét" }[m[1]] + " " + rest;
}

function time(iso) {
  return clockText(iso, true);
}

function render() {
  const st = model.state;
  if (!st) return;
  $("#unit").textContent = st.unit.name;
  $("#day").textContent = `Ngày ${st.day.split("-").reverse().join("/")} · sự kiện số ${st.seq}`;
  const day = encodeURIComponent(st.day);
  $("#report").href = `/api/v1/reports?from=${day}&to=${day}&by=service&format=html`;
  $("#report-month").href = `/api/v1/reports?from=${encodeURIComponent(st.day.slice(0, 8) + "01")}&to=${day}&by=day&format=xlsx`;
  let waiting = 0;
  for (const s of st.services) waiting += s.waiting.length;
  for (const c of st.counters) waiting += (c.waiting || []).length;
  $("#f-waiting").textContent = waiting;
  if (figs) {
    $("#f-issued").textContent = figs.issued;
    $("#f-served").textContent = figs.served;
    $("#f-noshow").textContent = figs.no_show;
    // Vietnamese writes a decimal comma: 3,5.
    $("#f-rating").textContent = figs.rated ? (figs.rating_sum / figs.rated).toFixed(1).replace(".", ",") + ` (${figs.rated})` : "–";
  }
  fill($("#counters"), st.counters.map((c) => el("tr", {},
    el("td", {}, c.name),
    el("td", {}, el("span", { class: "st " + c.state }, stateText[c.state] || c.state), c.reason ? " " + c.reason : ""),
    el("td", {}, c.officer || "–"),
    el("td", { class: "num" }, c.serving ? c.serving.number : "–"),
    el("td", { class: "num" }, c.served_today),
    el("td", {}, el("a", { href: `/counter/${c.id}` }, "quầy"), " · ", el("a", { href: `/rate/${c.id}` }, "đánh giá")))));
  fill($("#services"), st.services.map((s) => el("tr", {},
    el("td", {}, s.name),
    el("td", {}, s.prefix || "–"),
    el("td", { class: "num" }, s.waiting.length),
    el("td", { class: "num" }, s.waiting.length ? s.waiting[0].number : "–"))));
  fill($("#devices"), st.devices.length
    ? st.devices.map((d) => el("li", {},
      el("span", { class: "name" }, deviceLabel(d.name)),
      el("span", { class: "st " + d.status }, deviceText[d.status] || d.status),
      el("span", { class: "detail" }, d.detail)))
    : el("li", {}, el("span", { class: "detail" }, "Chưa có thiết bị nào báo trạng thái.")));
  fill($("#events"), tail.map((ev) => el("li", { class: ev.fresh ? "fresh" : "" },
    el("span", { class: "seq" }, "#" + ev.seq),
    el("span", { class: "t" }, time(ev.at)),
    el("span", {}, describe(ev)))));
}

function describe(ev) {
  const parts = [eventText[ev.event] || ev.event];
  if (ev.ticket) parts.push(ev.ticket.number + (ev.ticket.priority ? " (ưu tiên)" : "") + (ev.ticket.appointment ? " · đặt lịch " + ev.ticket.appointment : ""));
  if (ev.appointment) parts.push(`${ev.appointment.code} ${ev.appointment.date} ${ev.appointment.from}–${ev.appointment.to}`);
  const counter = ev.counter ? ev.counter.name : ev.ticket && ev.ticket.counter ? `Quầy ${ev.ticket.counter}` : "";
  if (counter) parts.push(counter);
  if (ev.event === "counter.opened" && ev.counter && ev.counter.officer) parts.push(ev.counter.officer);
  if (ev.reason) parts.push("lý do: " + ev.reason);
  if (ev.score) parts.push(`điểm ${ev.score}`);
  if (ev.device) parts.push(`${deviceLabel(ev.device.name)}: ${deviceText[ev.device.status] || ev.device.status} ${ev.device.detail || ""}`);
  if (ev.unsynced) parts.push("(giờ chưa đồng bộ)");
  return parts.join(" · ");
}

const count = { "ticket.issued": "issued", "ticket.done": "served", "ticket.no_show": "no_show" };

function onEvent(ev) {
  tail.unshift(ev);
  if (tail.length > TAIL) tail.length = TAIL;
  if (model.state && ev.seq > model.state.seq) {
    ev.fresh = true;
    setTimeout(() => { ev.fresh = false; render(); }, 3000);
    if (ev.event === "day.started") { loadFigures(); }
    model.apply(ev);
    refresh();
  }
  if (figs && ev.seq > figs.seq) {
    figs.seq = ev.seq;
    if (count[ev.event]) figs[count[ev.event]]++;
    if (ev.event === "ticket.rated") { figs.rated++; figs.rating_sum += ev.score; }
  }
  render();
}

async function loadFigures() {
  const r = await api("GET", "/admin/today.json");
  if (r && r.ok) { figs = r.data; render(); }
}

const refresh = debounce(async () => {
  const r = await api("GET", "/api/v1/state");
  if (r && r.ok && model.state && r.data.seq >= model.state.seq) { model.set(r.data); render(); }
}, 300);

start("admin").then(async () => {
  let r;
  for (;;) {
    r = await api("GET", "/api/v1/state");
    if (r && r.ok) break;
    await new Promise((res) => setTimeout(res, 3000));
  }
  model.set(r.data);
  await loadFigures();
  render();
  new Live({
    since: Math.max(r.data.seq - 50, 0),
    onSnapshot: (st) => { model.set(st); loadFigures(); render(); },
    onEvent,
  });
});

// A new queue day by hand, for an office whose clock is not synchronised:
// the first tap arms the button, a second one within 5 s starts the day.
let armed = null;
$("#new-day").addEventListener("click", async (e) => {
  const b = e.currentTarget;
  if (!armed) {
    b.textContent = "Nhấn lần nữa để bắt đầu ngày mới";
    b.classList.add("armed");
    armed = setTimeout(() => { armed = null; b.textContent = "Bắt đầu ngày mới"; b.classList.remove("armed"); }, 5000);
    return;
  }
  clearTimeout(armed);
  armed = null;
  b.classList.remove("armed");
  const r = await api("POST", "/api/v1/day", {});
  const msg = $("#new-day-msg");
  if (r && r.ok) {
    b.textContent = `Đã bắt đầu ngày ${r.data.day.split("-").reverse().join("/")}`;
    msg.hidden = true;
  } else {
    b.textContent = "Không bắt đầu được ngày mới";
    msg.textContent = errorText(r);
    msg.hidden = false;
    setTimeout(() => { msg.hidden = true; }, 15000);
  }
  setTimeout(() => { b.textContent = "Bắt đầu ngày mới"; }, 5000);
});

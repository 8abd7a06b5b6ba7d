// The day's bookings on the counter and admin pages: who is booked, who
// has checked in (with their number), who has not come yet. On the
// counter page, only the counter's services, and the name on the ID card
// of the citizen the counter has called (docs/privacy.md).
import { el, fill, api, pathID } from "/static/common.js";

const page = document.body.dataset.page;
const counterID = page === "counter" ? pathID() : 0;

const statusText = {
  booked: "Đã đặt · chưa đến",
  checked_in: "Đã đến",
  cancelled: "Đã hủy",
  expired: "Quá hạn, không đến",
};

const box = el("section", { id: "bookings", class: "bookings", "aria-labelledby": "bookings-title" },
  el("h2", { id: "bookings-title" }, "Lịch hẹn hôm nay"),
  el("p", { id: "bookings-sum", class: "bookings-sum" }),
  el("table", {},
    el("thead", {}, el("tr", {},
      el("th", {}, "Giờ"), el("th", {}, "Mã"), el("th", {}, "Lĩnh vực"), el("th", {}, "Trạng thái"))),
    el("tbody", { id: "bookings-list" })));
(document.querySelector(page === "counter" ? ".lists" : "main") || document.body).append(box);

let services = null; // the counter's services; null on the admin page
let names = {};
window.motcuaBookings = { list: [] };

async function load() {
  if (page === "counter" && services === null) {
    const st = await api("GET", "/api/v1/state");
    if (!st || !st.ok) return;
    const c = st.data.counters.find((x) => x.id === counterID);
    services = c ? c.services : [];
    names = Object.fromEntries(st.data.services.map((s) => [s.id, s.name]));
  } else if (page !== "counter" && !Object.keys(names).length) {
    const st = await api("GET", "/api/v1/state");
    if (st && st.ok) names = Object.fromEntries(st.data.services.map((s) => [s.id, s.name]));
  }
  const res = await api("GET", "/api/v1/appointments");
  if (!res || !res.ok) return;
  let list = res.data.appointments;
  if (services) list = list.filter((a) => services.includes(a.service));
  window.motcuaBookings.list = list;
  const waiting = list.filter((a) => a.status === "booked").length;
  const came = list.filter((a) => a.status === "checked_in").length;
  document.getElementById("bookings-sum").textContent = list.length
    ? `${list.length} lịch hẹn · ${came} đã đến · ${waiting} chưa đến`
    : "Không có lịch hẹn nào hôm nay.";
  fill(document.getElementById("bookings-list"), list.map((a) =>
    el("tr", { class: "b-" + a.status, dataset: { code: a.code } },
      el("td", {}, `${a.from}–${a.to}`),
      el("td", {}, a.code),
      el("td", {}, names[a.service] || a.service),
      el("td", {}, a.status === "checked_in" && a.number ? `${statusText.checked_in} · số ${a.number}` : statusText[a.status] || a.status))));
}

let timer = 0;
function reload() {
  clearTimeout(timer);
  timer = setTimeout(load, 300);
}

// The citizen's name, for the counter that called them.
const citizen = el("p", { id: "s-citizen", class: "citizen", hidden: true });
if (page === "counter") {
  const serving = document.getElementById("serving");
  if (serving) serving.append(citizen);
}

async function showCitizen() {
  const res = await api("GET", `/api/v1/counters/${counterID}/citizen`);
  if (res && res.status === 200 && res.data && res.data.name) {
    citizen.textContent = `Công dân: ${res.data.name}`;
    citizen.hidden = false;
  } else {
    citizen.textContent = "";
    citizen.hidden = true;
  }
}

document.addEventListener("motcua:event", (e) => {
  const ev = e.detail;
  if (ev.event.startsWith("appointment.") || ev.event === "day.started" ||
      (ev.event === "ticket.issued" && ev.ticket && ev.ticket.appointment)) {
    reload();
  }
  if (page === "counter" && ev.counter && ev.counter.id === counterID && ev.event.startsWith("ticket.")) {
    showCitizen();
  }
});

load();
if (page === "counter") showCitizen();
setInterval(load, 60000); // "not yet here" turns to late without an event

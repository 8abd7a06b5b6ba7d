// Return of results (trả kết quả): an appointment slip's QR scanned at the
// kiosk. The daemon issues and prints a number in the service of kind
// "return" with the slip's dossier linked, and this page shows it; a slip
// scanned before its return date gets the date instead. See docs/pages.md.
import { $, el } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";

const errorText = {
  no_return_service: "Bộ phận chưa có quầy trả kết quả. Mời quý khách lấy số thường.",
};

const screen = kiosk.addScreen("return", {
  onShow(msg) { $("#ret-msg").textContent = msg; },
  onBack: () => kiosk.home(),
  speak: () => [$("#ret-msg").textContent],
});
screen.classList.add("checkin");
screen.append(
  el("div", { class: "ci-top" },
    el("button", { class: "back", type: "button", id: "ret-back", onclick: () => kiosk.home() }, "← Quay lại"),
    el("h1", {}, "Nhận kết quả hồ sơ")),
  el("p", { id: "ret-msg", class: "ci-msg", role: "alert" }));

// dmy writes "2026-12-11" as 11/12/2026.
function dmy(date) {
  const [y, m, d] = date.split("-");
  return `${d}/${m}/${y}`;
}

document.addEventListener("motcua:scan", (e) => {
  const f = e.detail;
  if (f.kind !== "slip") return;
  if (f.ticket) {
    kiosk.showTicket({ ...f.ticket, printed: !!f.printed, print_error: f.print_error || "", satellite: !!f.satellite },
      ["Trả kết quả", ...(f.ticket.dossiers || [])].join(" · "));
    return;
  }
  const code = f.error && f.error.code;
  kiosk.show("return", code === "too_early"
    ? `Hồ sơ của quý khách hẹn trả kết quả ngày ${dmy(f.return)}. Xin quý khách quay lại đúng ngày hẹn.`
    : errorText[code] || "Chưa nhận được phiếu hẹn. Mời quý khách lấy số thường hoặc hỏi cán bộ.");
});

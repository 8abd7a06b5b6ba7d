// Dossier status (tình trạng hồ sơ): a one-stop receipt's QR scanned at
// the kiosk. The daemon asks the province over the uplink and tells this
// page "pending" at once, then the status and due date, or that it could
// not look it up (after at most 2 s). Taking a number is never held up:
// the screen has its own "Lấy số" button, and the start screen works as
// before. The answer leaves the screen after 30 s. See docs/pages.md.
import { $, el } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";

const noStatus = "Chưa tra cứu được, mời quý khách lấy số";
// SHOW_MS is how long a status stays on screen without a touch: the next
// citizen does not find it there.
const SHOW_MS = 30000;
let backTimer = null;

const screen = kiosk.addScreen("dossier", {
  onBack: () => kiosk.home(),
});
screen.classList.add("checkin");
screen.append(
  el("div", { class: "ci-top" },
    el("button", { class: "back", type: "button", id: "dos-back", onclick: () => kiosk.home() }, "← Lấy số"),
    el("h1", {}, "Tình trạng hồ sơ")),
  el("p", { id: "dos-status", class: "ci-msg", role: "status", "aria-live": "polite" }),
  el("p", { id: "dos-due" }));

// dmy writes "2026-12-11" as 11/12/2026.
function dmy(date) {
  const [y, m, d] = date.split("-");
  return `${d}/${m}/${y}`;
}

let lookup = 0; // the lookup shown: a late answer of an older scan is dropped

document.addEventListener("motcua:scan", (e) => {
  const f = e.detail;
  if (f.kind !== "receipt" || f.scan !== "dossier") return;
  if (f.pending) {
    lookup = f.lookup;
  } else if (f.lookup !== lookup) {
    return;
  }
  clearTimeout(backTimer);
  if (!f.pending) {
    backTimer = setTimeout(() => { if (kiosk.current() === "dossier") kiosk.home(); }, SHOW_MS);
  }
  const status = $("#dos-status");
  const due = $("#dos-due");
  if (f.pending) {
    status.textContent = "Đang tra cứu hồ sơ…";
    due.textContent = "";
  } else if (f.dossier) {
    status.textContent = f.dossier.status;
    due.textContent = f.dossier.due ? `Ngày hẹn trả kết quả: ${dmy(f.dossier.due)}` : "";
  } else {
    status.textContent = noStatus;
    due.textContent = "";
  }
  kiosk.show("dossier");
});

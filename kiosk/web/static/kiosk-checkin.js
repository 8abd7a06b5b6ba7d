// The kiosk's bookings and ID cards: "Tôi đã đặt lịch" takes a booking's
// code on an on-screen keypad and checks it in; a booking's QR at the
// kiosk's scanner does the same without a touch (the daemon checks it in
// and prints, this page shows the ticket); an ID card's QR, after the
// privacy notice, lets the citizen choose a service and take a number
// (priority for the elderly). See docs/pages.md and docs/privacy.md.
import { $, el, fill, api, errorText } from "/static/common.js";
import { kiosk } from "/static/kiosk-screens.js";

const MAX_CODE = 32;
const keyRows = [
  ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
  ["Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"],
  ["A", "S", "D", "F", "G", "H", "J", "K", "L", "-"],
  ["Z", "X", "C", "V", "B", "N", "M", "."],
];

const checkinText = {
  unknown_appointment: "Không tìm thấy lịch hẹn với mã này. Xin kiểm tra lại mã trên tin nhắn hoặc phiếu đặt lịch.",
  not_today: "Lịch hẹn này không phải hôm nay. Xin quay lại đúng ngày đã đặt, hoặc lấy số thường.",
  expired: "Lịch hẹn đã quá giờ. Xin lấy số thường.",
  cancelled: "Lịch hẹn này đã bị hủy. Xin lấy số thường.",
  bad_request: "Xin nhập mã đặt lịch.",
  no_scan: "Chưa đọc được thẻ căn cước, hoặc đã quá 2 phút. Xin quét lại thẻ.",
  limit_reached: "Quý khách đã lấy đủ số lượt hôm nay. Xin hỏi cán bộ tại quầy.",
};

function text(res) {
  const code = res && res.data && res.data.error && res.data.error.code;
  return checkinText[code] || errorText(res);
}

const state = { code: "", msg: "" };
window.motcuaKiosk = Object.assign(window.motcuaKiosk || {}, { checkin: state });

function serviceName(id) {
  const s = kiosk.state && kiosk.state.services.find((x) => x.id === id);
  return s ? s.name : id;
}

function bookedLabel(t) {
  return `${serviceName(t.service)} · Đặt lịch ${t.appointment}`;
}

// The code screen.
const codeScreen = kiosk.addScreen("checkin", {
  onShow(msg) {
    state.code = "";
    showCode();
    message(msg || "");
  },
  onBack: () => kiosk.home(),
  // Guidance speaks clips of the voice pack (kiosk/voice/guide.go).
  speak: () => ["guide-checkin"],
});
codeScreen.classList.add("checkin");
codeScreen.append(
  el("div", { class: "ci-top" },
    el("button", { class: "back", type: "button", id: "ci-back", onclick: () => kiosk.home() }, "← Quay lại"),
    el("h1", {}, "Tôi đã đặt lịch")),
  el("p", { class: "ci-hint" }, "Nhập mã đặt lịch (ví dụ HN-0042), hoặc đưa mã QR trên phiếu đặt lịch vào máy quét."),
  el("div", { class: "ci-row" },
    el("div", { id: "ci-code", class: "ci-code empty", role: "textbox", "aria-label": "Mã đặt lịch" }),
    el("button", { class: "clear", type: "button", id: "ci-clear", onclick: () => type("clear") }, "Xóa")),
  el("p", { id: "ci-msg", class: "ci-msg", role: "alert" }),
  keypad(),
  el("button", { class: "ci-ok", type: "button", id: "ci-ok", onclick: submit }, "Xác nhận"));

function keypad() {
  const kb = el("div", { id: "ci-kb", class: "ci-kb", "aria-label": "Bàn phím" });
  for (const row of keyRows) {
    kb.append(el("div", { class: "kb-row" }, row.map((k) =>
      el("button", { type: "button", class: "key", dataset: /[0-9]/.test(k) ? { key: k, say: "n:" + k } : { key: k }, onclick: () => type(k) }, k))));
  }
  kb.append(el("div", { class: "kb-row" },
    el("button", { type: "button", class: "key wide", dataset: { key: "back" }, "aria-label": "Xóa một chữ", onclick: () => type("back") }, "⌫")));
  return kb;
}

function type(k) {
  if (k === "clear") state.code = "";
  else if (k === "back") state.code = state.code.slice(0, -1);
  else if (state.code.length < MAX_CODE) state.code += k;
  showCode();
  message("");
}

function showCode() {
  const box = $("#ci-code");
  box.textContent = state.code;
  box.classList.toggle("empty", state.code === "");
}

function message(m) {
  state.msg = m;
  $("#ci-msg").textContent = m;
}

let sending = false;
async function submit() {
  if (sending) return;
  if (!state.code) {
    message(checkinText.bad_request);
    return;
  }
  sending = true;
  const res = await api("POST", "/api/v1/checkin", { code: state.code });
  sending = false;
  if (!res || !res.ok) {
    if (res && res.status === 401) return;
    message(text(res));
    return;
  }
  kiosk.showTicket(res.data, bookedLabel(res.data));
}

// The privacy notice, shown before the citizen is asked for the card.
const notice = kiosk.addScreen("idcard", {
  onBack: () => kiosk.home(),
  speak: () => ["guide-idcard"],
});
notice.classList.add("checkin");
notice.append(
  el("div", { class: "ci-top" },
    el("button", { class: "back", type: "button", id: "id-back", onclick: () => kiosk.home() }, "← Quay lại"),
    el("h1", {}, "Lấy số bằng thẻ căn cước")),
  el("p", { id: "id-notice", class: "id-notice" },
    "Máy đọc mã QR trên thẻ căn cước để: ưu tiên người cao tuổi, giới hạn số lượt lấy số mỗi ngày của mỗi người, " +
    "và cho cán bộ gọi quý khách biết tên quý khách. Máy không lưu số căn cước, ngày sinh hay địa chỉ; " +
    "tên chỉ giữ trong bộ nhớ đến khi quý khách được phục vụ xong, không in lên vé, không hiện lên màn hình chung."),
  el("p", { class: "id-ask" }, "Xin đưa mã QR trên thẻ căn cước vào máy quét."),
  el("button", { class: "ci-ok", type: "button", id: "id-skip", onclick: () => kiosk.home() }, "Không quét, lấy số thường"));

// After a card: the services, a number for the card.
let cardPriority = null;
const choose = kiosk.addScreen("idservice", {
  onShow(priority) {
    cardPriority = priority || null;
    $("#id-prio").hidden = !cardPriority;
    $("#id-msg").textContent = "";
    fill($("#id-services"), (kiosk.state ? kiosk.state.services : []).map((s) =>
      el("button", { class: "svc", type: "button", dataset: { service: s.id }, onclick: () => takeForCard(s) },
        el("span", { class: "name" }, s.name))));
  },
  onBack: () => kiosk.home(),
  speak: () => ["guide-choose-service"],
});
choose.classList.add("checkin");
choose.append(
  el("div", { class: "ci-top" },
    el("button", { class: "back", type: "button", id: "ids-back", onclick: () => kiosk.home() }, "← Hủy"),
    el("h1", {}, "Đã đọc thẻ căn cước")),
  el("p", { id: "id-prio", class: "id-prio", hidden: true }, "Quý khách được ưu tiên: người cao tuổi"),
  el("p", { class: "ci-hint" }, "Chạm vào lĩnh vực cần giải quyết để lấy số thứ tự."),
  el("div", { id: "id-services", class: "services", role: "group", "aria-label": "Lĩnh vực" }),
  el("p", { id: "id-msg", class: "ci-msg", role: "alert" }),
  el("p", { class: "id-small" }, "Máy không lưu số căn cước. Tên quý khách chỉ hiện cho cán bộ gọi quý khách."));

async function takeForCard(s) {
  const res = await api("POST", "/api/v1/tickets", { service: s.id, scan: "ID" });
  if (!res || !res.ok) {
    if (res && res.status === 401) return;
    $("#id-msg").textContent = text(res);
    return;
  }
  kiosk.showTicket(res.data, s.name);
}

// Scans at the kiosk's scanner, as the daemon tells the kiosk pages.
document.addEventListener("motcua:scan", (e) => {
  const f = e.detail;
  window.motcuaKiosk.lastScan = f;
  if (f.kind === "appointment") {
    if (f.ticket) {
      kiosk.showTicket({ ...f.ticket, printed: !!f.printed, print_error: f.print_error || "", satellite: !!f.satellite }, bookedLabel(f.ticket));
    } else {
      kiosk.show("checkin", text({ data: { error: f.error } }));
    }
  } else if (f.kind === "id_card") {
    kiosk.show("idservice", f.priority);
  } else if (kiosk.current() === "checkin" || kiosk.current() === "idcard") {
    message("Mã vừa quét không phải mã đặt lịch hay thẻ căn cước.");
  }
});

kiosk.addEntry({
  id: "checkin",
  label: "Tôi đã đặt lịch",
  hint: "nhập mã hoặc quét mã QR đặt lịch",
  onclick: () => kiosk.show("checkin"),
});

// The card entry only where the kiosk has a scanner.
const waitState = setInterval(() => {
  if (!kiosk.state) return;
  clearInterval(waitState);
  if (kiosk.state.devices.some((d) => d.name === "scanner kiosk")) {
    kiosk.addEntry({
      id: "idcard",
      label: "Lấy số bằng thẻ căn cước",
      hint: "người cao tuổi được ưu tiên",
      onclick: () => kiosk.show("idcard"),
    });
  }
}, 200);

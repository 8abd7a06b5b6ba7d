// /rate/{counter}: the citizen rates the service after the officer
// finished the file (ticket.done at this counter).
import { $, api, start, Live, pathID, errorText, serverNow } from "/static/common.js";
import * as qset from "/static/rate-questions.js";

const id = pathID();
const ASK_MS = 60000; // the question goes away if nobody answers
const THANKS_MS = 6000;
const WHY_MS = 20000; // a low score is sent without a reason after this
let timer = null;

// window.motcuaRate lets tests see what was sent.
window.motcuaRate = { asked: null, sent: null };

function show(name) {
  for (const s of ["idle", "ask", "qset", "why", "thanks"]) $("#" + s).hidden = s !== name;
}

function idle() {
  clearTimeout(timer);
  show("idle");
}

// answers are the question set's answers so far (0: not answered).
let answers = null;

function ask(ticket) {
  window.motcuaRate.asked = ticket.number;
  if (qset.set.active) {
    answers = [];
    qset.ask(ticket, (i, score) => {
      answers[i] = score;
      clearTimeout(timer);
      timer = setTimeout(finishSet, ASK_MS);
    }, finishSet);
    show("qset");
    clearTimeout(timer);
    timer = setTimeout(finishSet, ASK_MS);
    return;
  }
  answers = null;
  $("#a-number").textContent = ticket.number;
  $("#a-error").hidden = true;
  show("ask");
  clearTimeout(timer);
  timer = setTimeout(idle, ASK_MS);
}

// finishSet ends the question set, answered in full or not: what was
// answered is rated (a low score asks why first); nothing answered, idle.
function finishSet() {
  const given = answers.map((a) => a || 0);
  if (!given.some((a) => a > 0)) { idle(); return; }
  chose(Math.min(...given.filter((a) => a > 0)));
}

// A low score asks, optionally, why; the score is sent with the reason
// chosen, or without one on "Bỏ qua" or after WHY_MS.
let lowScore = 0;
function chose(score) {
  if (score > qset.set.notSatisfied) { rate(score, ""); return; }
  lowScore = score;
  show("why");
  clearTimeout(timer);
  timer = setTimeout(() => rate(lowScore, ""), WHY_MS);
}

// sending is true while our own rating is on its way: its ticket.rated
// event, which may come before the answer, is not "rated elsewhere".
let sending = false;
async function rate(score, reason) {
  clearTimeout(timer);
  const body = answers ? { answers: answers.map((a) => a || 0) } : { score };
  if (reason) body.reason = reason;
  sending = true;
  const r = await api("POST", `/api/v1/counters/${id}/rating`, body);
  sending = false;
  window.motcuaRate.sent = { score, reason, answers: body.answers, status: r && r.status };
  if (!r || !r.ok) {
    if (r && r.status === 401) return;
    if (r && r.data && r.data.error && r.data.error.code === "already_rated") { idle(); return; }
    $("#a-error").textContent = errorText(r);
    $("#a-error").hidden = false;
    show("ask");
    return;
  }
  $("#th-more").textContent = score <= qset.set.notSatisfied
    ? "Chúng tôi xin lỗi vì chưa làm quý khách hài lòng và sẽ cố gắng phục vụ tốt hơn."
    : "Chúc quý khách một ngày tốt lành.";
  show("thanks");
  clearTimeout(timer);
  timer = setTimeout(idle, THANKS_MS);
}

for (const b of document.querySelectorAll(".lv")) {
  b.addEventListener("click", () => chose(Number(b.dataset.score)));
}
for (const b of document.querySelectorAll(".rs")) {
  b.addEventListener("click", () => rate(lowScore, b.dataset.reason));
}
$("#w-skip").addEventListener("click", () => rate(lowScore, ""));
document.addEventListener("contextmenu", (e) => e.preventDefault());
$("#i-counter").textContent = `Quầy ${id}`;

start("rate", id).then(qset.load).then(() => {
  new Live({
    onSnapshot: (st) => {
      const c = st.counters.find((x) => x.id === id);
      if (c) $("#i-counter").textContent = c.name;
    },
    onEvent: (ev) => {
      const at = (ev.counter && ev.counter.id) || (ev.ticket && ev.ticket.counter);
      if (at !== id) return;
      if (ev.event === "ticket.done") {
        // After a reconnect, a file finished long ago is not asked about.
        if (serverNow() - new Date(ev.at).getTime() < ASK_MS) ask(ev.ticket);
      } else if (ev.event === "ticket.rated" && !sending && (!$("#ask").hidden || !$("#qset").hidden || !$("#why").hidden)) {
        idle(); // rated elsewhere
      }
    },
  });
});

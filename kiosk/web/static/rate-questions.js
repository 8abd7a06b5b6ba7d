// The configured question set of the rating page ([rating] in the
// configuration, GET /api/v1/rating): the scale's levels as buttons, one
// tap per question, in order. Without questions and on the default
// four-level scale, rate.js asks its one question with faces instead.
import { $, el, fill, api } from "/static/common.js";

// set is the rating set; active when the page asks it instead of the
// faces.
export const set = { active: false, scale: [], questions: [], notSatisfied: 1 };

// load reads the set.
export async function load() {
  const r = await api("GET", "/api/v1/rating");
  if (!r || !r.ok) return;
  const d = r.data;
  set.scale = d.scale;
  set.questions = d.questions || [];
  set.notSatisfied = d.not_satisfied;
  set.active = set.questions.length > 0 || set.scale.length !== 4;
}

// ask asks the set for ticket: each question in turn; a tap on a level
// answers it and moves on. answered(i, score) is told each answer;
// finished() when the last is answered.
export function ask(ticket, answered, finished) {
  const qs = set.questions.length ? set.questions : [null];
  let i = 0;
  const n = set.scale.length;
  const next = () => {
    const q = qs[i];
    $("#qs-step").textContent = qs.length > 1 ? `Câu ${i + 1}/${qs.length}` : "";
    fill($("#qs-text"), q === null
      ? ["Quý khách có hài lòng với việc giải quyết hồ sơ ", el("b", {}, ticket.number), " không?"]
      : [q]);
    fill($("#qs-levels"), set.scale.map((label, k) =>
      el("button", { type: "button", class: "ql", dataset: { score: String(n - k) }, onclick: () => {
        answered(i, n - k);
        i++;
        if (i < qs.length) next(); else finished();
      } }, label)));
  };
  next();
}

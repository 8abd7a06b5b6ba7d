// Telex as Vietnamese typists know it, for showing what the citizen types
// on the kiosk's keyboard: "ddawng kys" shows "đăng ký". Only the display
// uses it; the daemon's search reads Telex by itself.

const marks = { aa: "â", aw: "ă", ee: "ê", oo: "ô", ow: "ơ", uw: "ư", dd: "đ" };
const tones = { s: "\u0301", f: "\u0300", r: "\u0309", x: "\u0303", j: "\u0323" };
const vowels = "aăâeêioôơuưy";

// word converts one word: letter marks first, then a tone key after the
// first vowel puts its mark on the vowel Vietnamese spelling wants.
function word(w) {
  let s = w.toLowerCase();
  if (!/^[a-zđăâêôơư]+$/.test(s)) return w;
  // A tone key may come anywhere after the first vowel: no Vietnamese
  // syllable has s, f, r, x or j there.
  let tone = "";
  const first = [...s].findIndex((c) => vowels.includes(c));
  if (first >= 0) {
    let rest = "";
    for (const c of s.slice(first)) {
      if (tones[c]) tone = tones[c];
      else rest += c;
    }
    s = s.slice(0, first) + rest;
  }
  s = s.replace(/dd/g, "đ").replace(/uow/g, "ươ").replace(/(aa|aw|ee|oo|ow|uw)/g, (m) => marks[m]);
  s = s.replace(/(^|[^aeiouyăâêôơư])w/g, "$1ư");
  if (!tone) return s;
  // The vowel run, leaving out the u of qu and the i of gi before a vowel.
  let start = s.search(/[aăâeêioôơuưy]/);
  if (start < 0) return s;
  if ((s.startsWith("qu") || s.startsWith("gi")) && start === 1 && vowels.includes(s[2] || "")) start = 2;
  let end = start;
  while (end < s.length && vowels.includes(s[end])) end++;
  const run = s.slice(start, end);
  let at = [...run].findIndex((c) => "ăâêôơư".includes(c));
  if (run.includes("ươ")) at = run.indexOf("ơ");
  else if (at < 0) {
    if (run.length === 1) at = 0;
    else if (end < s.length || run.length === 3 || ["oa", "oe", "uy"].includes(run)) at = run.length === 3 ? 1 : run.length - 1;
    else at = 0;
  }
  const i = start + at;
  return (s.slice(0, i + 1) + tone + s.slice(i + 1)).normalize("NFC");
}

// telex converts each word of a line typed in Telex.
export function telex(text) {
  return text.split(/(\s+)/).map((p) => (/\s/.test(p) ? p : word(p))).join("");
}

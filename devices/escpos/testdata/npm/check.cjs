// Independent checks of motcua's ESC/POS output, run by npm_test.go.
// Reads a JSON request on stdin:
//   {"files": ["a.bin", ...], "qr": "text", "letters": ["ă", ...], "ticket": {...}}
// and writes JSON on stdout:
//   files[i]: how npos parsed the file (nodes, raster images, text lines
//             decoded with receipt-printer-encoder's code page tables),
//   qr:       receipt-printer-encoder's bytes for the QR (model 2, size 6, level M),
//   letters:  each letter encoded in the tcvn3 and tcvn3capitals tables,
//   ticket:   receipt-printer-encoder's bytes for the same ticket text.
'use strict';

const fs = require('fs');
const npos = require('npos');
const ReceiptPrinterEncoder = require('@point-of-sale/receipt-printer-encoder');
const CodepageEncoder = require('@point-of-sale/codepage-encoder');

const req = JSON.parse(fs.readFileSync(0, 'utf8'));

// npos has no rule for GS ( k (2D codes): a 16-bit length follows, as for GS ( L.
const rules = Object.assign({}, npos.rules);
rules[0x1d] = Object.assign({}, rules[0x1d], { '(k': [0, 'd16'] });

const tables = {
  0: CodepageEncoder.getEncoding('cp437').codepoints,
  30: CodepageEncoder.getEncoding('tcvn3').codepoints,
  31: CodepageEncoder.getEncoding('tcvn3capitals').codepoints,
};

function decode(page, bytes) {
  let s = '';
  for (const b of bytes) {
    if (b < 0x80) { s += String.fromCharCode(b); continue; }
    const cp = (tables[page] || [])[b];
    s += cp === undefined ? '\ufffd' : String.fromCodePoint(cp);
  }
  return s;
}

async function parseFile(name) {
  const raw = fs.readFileSync(name);
  const parser = npos.parser(rules);
  // analyze first: parse() later rewrites the offsets of raster nodes.
  const ast = parser.analyze(raw);
  const out = { error: ast.error ? String(ast.error) : null, size: raw.length, nodes: [], raster: [], lines: [] };
  if (ast.error) return out;
  let page = 0;
  let line = '';
  const images = [];
  for (const n of ast.tree) {
    const cmd = n.ascii + (n.fn ? ' ' + n.fn : '');
    out.nodes.push({ cmd, off: n.offset, len: n.length });
    if (n.ascii === 'ESC' && n.fn === '@') page = 0;
    if (n.ascii === 'ESC' && n.fn === 't') page = raw[n.offset + 2];
    if (cmd === 'GS v0') images.push(n.offset);
    if (n.ascii === 'STX') {
      for (const part of raw.subarray(n.offset, n.offset + n.length).toString('latin1').split(/(\n)/)) {
        if (part === '\n') { out.lines.push(line); line = ''; continue; }
        line += decode(page, Buffer.from(part, 'latin1'));
      }
    }
  }
  const parsed = await parser.parse(ast);
  if (!parsed.entries.some((e) => e.type === 'raster') && images.length > 0) {
    throw new Error('npos found no raster entry');
  }
  // npos's raster codec indexes every image of a run with the widest
  // image's width, so decode each GS v 0 on its own.
  for (const off of images) {
    const img = npos.codecs.raster.decode(raw, [{ offset: off }]);
    const w = img.width, h = img.height;
    const stride = Math.ceil(w / 8);
    const bits = Buffer.alloc(stride * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (img.getPixel(x, y) === 0) bits[y * stride + (x >> 3)] |= 0x80 >> (x & 7);
      }
    }
    out.raster.push({ off, width: w, height: h, hex: bits.toString('hex') });
  }
  return out;
}

function encodeTicket(t) {
  const enc = new ReceiptPrinterEncoder({
    printerModel: 'epson-tm-t20iii',
    codepageCandidates: ['tcvn3', 'tcvn3capitals', 'windows1258'],
  });
  enc.initialize().codepage('auto').align('center');
  enc.bold(true).line(t.unit).bold(false);
  for (const l of t.lines) enc.line(l);
  enc.size(8, 8).line(t.number).size(1, 1);
  for (const l of t.after) enc.line(l);
  enc.qrcode(t.qr, { model: 2, size: 6, errorlevel: 'm' });
  enc.font('B').line(t.footer).font('A').cut('partial');
  return Buffer.from(enc.encode());
}

(async () => {
  const res = { files: [], letters: {} };
  for (const f of req.files || []) res.files.push(await parseFile(f));
  if (req.qr) {
    const b = Buffer.from(new ReceiptPrinterEncoder({ printerModel: 'epson-tm-t20iii' })
      .qrcode(req.qr, { model: 2, size: 6, errorlevel: 'm' }).encode());
    res.qr = b.toString('hex');
  }
  for (const ch of req.letters || []) {
    res.letters[ch] = [30, 31].map((p) => {
      const b = CodepageEncoder.encode(ch, p === 30 ? 'tcvn3' : 'tcvn3capitals');
      return b.length === 1 && b[0] !== 0x3f ? b[0] : null;
    });
  }
  res.eth31 = CodepageEncoder.encode('\u00d0', 'tcvn3capitals')[0];
  if (req.ticket) {
    const b = encodeTicket(req.ticket);
    res.ticket = { bytes: b.length, hex: b.toString('hex') };
  }
  process.stdout.write(JSON.stringify(res));
})().catch((e) => { console.error(e); process.exit(1); });

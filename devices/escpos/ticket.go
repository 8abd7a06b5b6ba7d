package escpos

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Paper is a paper roll width.
type Paper uint8

// Papers. The zero value is [Paper80].
const (
	Paper80 Paper = iota // 80 mm roll, 576 dots at 203 dpi
	Paper58              // 58 mm roll, 384 dots at 203 dpi
)

// Dots returns the printable width in dots.
func (p Paper) Dots() int {
	if p == Paper58 {
		return 384
	}
	return 576
}

func (p Paper) String() string {
	if p == Paper58 {
		return "58mm"
	}
	return "80mm"
}

// ParsePaper parses "80mm" or "58mm" ("80", "58" and "" = 80 mm too).
func ParsePaper(s string) (Paper, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "80", "80mm":
		return Paper80, nil
	case "58", "58mm":
		return Paper58, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrPaper, s)
}

// ParseLayout returns the layout of a text mode and a paper width as a
// configuration or a command line gives them ([ParseTextMode],
// [ParsePaper]), the rest left to its defaults.
func ParseLayout(mode, paper string) (Layout, error) {
	m, err := ParseTextMode(mode)
	if err != nil {
		return Layout{}, err
	}
	p, err := ParsePaper(paper)
	if err != nil {
		return Layout{}, err
	}
	return Layout{Mode: m, Paper: p}, nil
}

// Ticket is what a queue ticket says. Text is UTF-8, any normalisation form.
type Ticket struct {
	Unit     string        // the office, e.g. "UBND XÃ QUỲNH HẢI"
	Service  string        // e.g. "Lĩnh vực: Tư pháp – Hộ tịch"
	Number   string        // e.g. "A023", printed very large; ASCII
	Priority bool          // print the priority mark
	Issued   time.Time     // printed in its own location; zero: no date line
	Ahead    int           // people before this ticket
	Wait     time.Duration // estimated wait; rounded up to minutes
	QR       string        // QR code content; "" for none
	Footer   string        // e.g. "Xin cảm ơn quý khách!"
	Lines    []string      // extra lines (sub-unit, address, notes)
	// Appointment is the code of the booking checked in with the ticket;
	// "" for a walk-in. It prints the booking mark.
	Appointment string
	// Category is the name of the priority category, printed under the
	// priority mark; "" for none.
	Category string
	// Procedure names the procedure the ticket was taken for, and
	// Checklist lists its papers, one per line, printed as boxes to tick
	// (FieldChecklist); nil for none.
	Procedure string
	Checklist []string
}

// Field names a part of a [Ticket] that a [Block] prints.
type Field string

// Fields.
const (
	FieldUnit     Field = "unit"
	FieldLines    Field = "lines" // every Ticket.Lines entry, one per line
	FieldService  Field = "service"
	FieldNumber   Field = "number"
	FieldPriority Field = "priority" // Block.Text, only when Ticket.Priority
	// FieldAppointment is the booking mark, only when Ticket.Appointment
	// is set: Block.Text with {value} the code.
	FieldAppointment Field = "appointment"
	FieldIssued      Field = "issued" // Block.Text is a Go time layout
	FieldWait        Field = "wait"   // Block.Text with {ahead} and {wait}; Block.Alt when Ahead is 0
	FieldQR          Field = "qr"
	FieldCode128     Field = "code128" // Ticket.Number as a CODE128 barcode
	FieldFooter      Field = "footer"
	FieldText        Field = "text" // Block.Text as is
	FieldRule        Field = "rule" // a horizontal line across the paper
	// FieldChecklist is the procedure's papers, only when
	// Ticket.Checklist is set: Block.Text as a heading with {value} the
	// procedure (default "Giấy tờ cần mang – {value}:"), then "[ ] " and
	// each paper on its own lines.
	FieldChecklist Field = "checklist"
)

// Size is a text size.
type Size uint8

// Sizes. Native text: Small is font B, Normal font A, Large font A double
// height. Raster text: see [Layout].PixelSizes.
const (
	SizeNormal Size = iota
	SizeSmall
	SizeLarge
)

// Block is one part of the ticket layout.
type Block struct {
	Field Field
	// Text is a template: "{value}" stands for the field's text (default
	// "{value}"); for FieldIssued a Go time layout (default "Ngày 02/01/2006  15:04");
	// for FieldWait the text with {ahead} and {wait} (minutes); for
	// FieldPriority the mark (default "ƯU TIÊN"); for FieldAppointment
	// the mark with {value} the booking's code (default "Đặt lịch {value}").
	Text  string
	Alt   string // FieldWait when nobody is ahead (default "Quý khách là người tiếp theo")
	Align Align
	Size  Size
	Bold  bool
	Scale int // FieldNumber: character scale 1..8; 0 = as large as fits
	Gap   int // extra dots fed after the block; -1 = none; 0 = Layout.Gap
}

// DefaultBlocks returns the layout of a usual ticket: unit, extra lines,
// service, number, priority mark, date, people ahead and wait, QR, the
// procedure's checklist, footer.
func DefaultBlocks() []Block {
	return []Block{
		{Field: FieldUnit, Align: Center, Bold: true},
		{Field: FieldLines, Align: Center},
		{Field: FieldService, Align: Center},
		{Field: FieldNumber, Align: Center, Bold: true},
		{Field: FieldPriority, Align: Center, Bold: true, Size: SizeLarge},
		{Field: FieldAppointment, Align: Center, Bold: true},
		{Field: FieldIssued, Align: Center},
		{Field: FieldWait, Align: Center},
		{Field: FieldQR, Align: Center},
		{Field: FieldChecklist, Align: Left, Size: SizeSmall},
		{Field: FieldFooter, Align: Center, Size: SizeSmall},
	}
}

// Layout says how to print a [Ticket] on one printer.
type Layout struct {
	Paper  Paper
	Mode   TextMode
	Blocks []Block // nil: DefaultBlocks()
	QR     QROptions
	// PixelSizes are the raster font sizes in pixels per em for Normal,
	// Small and Large (bold Large for the priority mark); zeros mean 24, 20, 32.
	PixelSizes [3]float64
	Gap        int     // dots fed between blocks; 0 means 12
	Cut        CutMode // 0 means PartialCut; NoCut ends with a feed only
	Band       int     // raster rows per GS v 0; 0 means 256
	// PadImages puts raster lines at their alignment inside a full-width
	// image instead of relying on ESC a for images (some printers ignore
	// it). Costs bytes.
	PadImages bool
}

// Renderer turns tickets into print jobs. Create it once (it parses the
// fonts); it is safe for concurrent use.
type Renderer struct {
	text *TextRasterizer
}

// NewRenderer parses the embedded fonts.
func NewRenderer() (*Renderer, error) {
	t, err := NewTextRasterizer()
	if err != nil {
		return nil, err
	}
	return &Renderer{text: t}, nil
}

// Render returns the ESC/POS bytes of one ticket: ESC @, the blocks, feed
// and cut.
func (r *Renderer) Render(t Ticket, l Layout) ([]byte, error) {
	var e Encoder
	if err := r.Append(&e, t, l); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}

// Append is [Renderer.Render] into an existing encoder.
func (r *Renderer) Append(e *Encoder, t Ticket, l Layout) error {
	if l.Paper > Paper58 {
		return ErrPaper
	}
	if l.Mode > ASCII {
		return ErrTextMode
	}
	cut := l.Cut
	if cut == 0 {
		cut = PartialCut
	}
	if cut != PartialCut && cut != FullCut && cut != NoCut {
		return fmt.Errorf("%w: cut mode %d; use FullCut, PartialCut or NoCut", ErrLayout, cut)
	}
	blocks := l.Blocks
	if blocks == nil {
		blocks = DefaultBlocks()
	}
	w := &writer{r: r, e: e, l: l, tcvn: NewTCVN3Encoder(), size: -1}
	e.Init()
	pending := 0 // gap owed before the next block that prints
	for i, b := range blocks {
		mark := e.Len()
		printed, err := w.block(t, b)
		if err != nil {
			return fmt.Errorf("escpos: block %d (%s): %w", i+1, b.Field, err)
		}
		if !printed {
			continue
		}
		if pending > 0 {
			e.insert(mark, ESC, 'J', byte(min(pending, 255)))
		}
		pending = b.Gap
		if pending == 0 {
			pending = l.Gap
			if pending == 0 {
				pending = 12
			}
		}
	}
	e.Cut(cut, 0)
	return e.Err()
}

// writer tracks the printer's modes inside one job so that commands are
// sent only when a mode changes.
type writer struct {
	r     *Renderer
	e     *Encoder
	l     Layout
	tcvn  *TCVN3Encoder
	align Align
	bold  bool
	font  Font
	size  int // (w-1)<<4 | (h-1); -1 unknown... starts as 0 after ESC @
}

func (w *writer) setAlign(a Align) {
	if a != w.align {
		w.e.Align(a)
		w.align = a
	}
}

func (w *writer) setStyle(bold bool, f Font, sw, sh int) {
	if w.size < 0 {
		w.size = 0 // ESC @ was just sent
	}
	if bold != w.bold {
		w.e.Bold(bold)
		w.bold = bold
	}
	if f != w.font {
		w.e.Font(f)
		w.font = f
	}
	if s := (sw-1)<<4 | (sh - 1); s != w.size {
		w.e.Size(sw, sh)
		w.size = s
	}
}

func fill(tmpl, value string) string {
	if tmpl == "" {
		return value
	}
	return strings.ReplaceAll(tmpl, "{value}", value)
}

// block prints one block; it reports whether anything was printed.
func (w *writer) block(t Ticket, b Block) (bool, error) {
	switch b.Field {
	case FieldUnit:
		return w.text(fill(b.Text, t.Unit), b)
	case FieldService:
		return w.text(fill(b.Text, t.Service), b)
	case FieldFooter:
		return w.text(fill(b.Text, t.Footer), b)
	case FieldChecklist:
		if len(t.Checklist) == 0 {
			return false, nil
		}
		head := b.Text
		if head == "" {
			head = "Giấy tờ cần mang – {value}:"
		}
		hb := b
		hb.Bold = true
		if _, err := w.text(strings.ReplaceAll(head, "{value}", t.Procedure), hb); err != nil {
			return true, err
		}
		for _, item := range t.Checklist {
			if _, err := w.text("[ ] "+item, b); err != nil {
				return true, err
			}
		}
		return true, nil
	case FieldText:
		return w.text(b.Text, b)
	case FieldLines:
		any := false
		for _, s := range t.Lines {
			ok, err := w.text(fill(b.Text, s), b)
			if err != nil {
				return any, err
			}
			any = any || ok
		}
		return any, nil
	case FieldPriority:
		if !t.Priority {
			return false, nil
		}
		ok, err := w.text(fill(b.Text, "ƯU TIÊN"), b)
		if err != nil || t.Category == "" {
			return ok, err
		}
		name := b
		name.Size = SizeNormal
		return w.text(t.Category, name)
	case FieldAppointment:
		if t.Appointment == "" {
			return false, nil
		}
		text := b.Text
		if text == "" {
			text = "Đặt lịch {value}"
		}
		return w.text(fill(text, t.Appointment), b)
	case FieldIssued:
		if t.Issued.IsZero() {
			return false, nil
		}
		layout := b.Text
		if layout == "" {
			layout = "Ngày 02/01/2006  15:04"
		}
		return w.text(t.Issued.Format(layout), b)
	case FieldWait:
		if t.Ahead <= 0 {
			alt := b.Alt
			if alt == "" {
				alt = "Quý khách là người tiếp theo"
			}
			return w.text(alt, b)
		}
		tmpl := b.Text
		if tmpl == "" {
			tmpl = "Trước quý khách còn {ahead} người – chờ khoảng {wait} phút"
		}
		mins := int(math.Ceil(t.Wait.Minutes()))
		s := strings.NewReplacer("{ahead}", strconv.Itoa(t.Ahead), "{wait}", strconv.Itoa(mins)).Replace(tmpl)
		return w.text(s, b)
	case FieldNumber:
		return w.number(t.Number, b)
	case FieldQR:
		if t.QR == "" {
			return false, nil
		}
		if w.l.QR.Image {
			return true, w.qrImage(t.QR, b)
		}
		w.setAlign(b.Align)
		w.e.QR(t.QR, w.l.QR)
		return true, w.e.Err()
	case FieldCode128:
		if t.Number == "" {
			return false, nil
		}
		w.setAlign(b.Align)
		w.e.Code128(FoldASCII(t.Number), BarcodeOptions{HRI: false})
		return true, w.e.Err()
	case FieldRule:
		return w.rule()
	}
	return false, fmt.Errorf("%w: unknown field %q", ErrLayout, b.Field)
}

func (w *writer) rule() (bool, error) {
	img := NewBitmap(w.l.Paper.Dots(), 2)
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	w.setAlign(Left)
	w.e.Raster(img, 0)
	return true, w.e.Err()
}

// number prints the ticket number in the printer's own font, scaled.
func (w *writer) number(num string, b Block) (bool, error) {
	num = FoldASCII(strings.TrimSpace(num))
	if num == "" {
		return false, nil
	}
	n := len(num)
	scale := b.Scale
	if scale == 0 {
		scale = min(8, max(1, w.l.Paper.Dots()/(12*n)))
	}
	if scale < 1 || scale > 8 {
		return false, fmt.Errorf("%w: number scale %d", ErrLayout, scale)
	}
	w.setAlign(b.Align)
	w.setStyle(b.Bold, FontA, scale, scale)
	w.e.Text([]byte(num)).LF()
	return true, w.e.Err()
}

// text prints one text block, wrapped to the paper.
func (w *writer) text(s string, b Block) (bool, error) {
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return false, nil
	}
	if w.l.Mode == Raster && !IsASCII(s) {
		return true, w.raster(s, b)
	}
	f, sw, sh, cw := FontA, 1, 1, 12
	switch b.Size {
	case SizeSmall:
		f, cw = FontB, 9
	case SizeLarge:
		sh = 2
	}
	cols := w.l.Paper.Dots() / (cw * sw)
	w.setAlign(b.Align)
	w.setStyle(b.Bold, f, sw, sh)
	if w.l.Mode == ASCII || IsASCII(s) {
		s = FoldASCII(s)
	} else {
		// TCVN-3 has no en dash; fold it before wrapping so widths match.
		s = foldDashes(s)
	}
	for _, line := range wrap(s, cols, runeWidth) {
		if w.l.Mode == TCVN3 {
			w.tcvn.Append(w.e, line)
		} else {
			w.e.Text([]byte(line))
		}
		w.e.LF()
	}
	return true, w.e.Err()
}

func foldDashes(s string) string {
	return strings.Map(func(r rune) rune {
		if p, ok := foldPunct(r); ok && len(p) == 1 {
			return rune(p[0])
		}
		return r
	}, s)
}

func (w *writer) raster(s string, b Block) error {
	px := w.l.PixelSizes
	def := [3]float64{24, 20, 32}
	for i := range px {
		if px[i] <= 0 {
			px[i] = def[i]
		}
	}
	size := px[0]
	switch b.Size {
	case SizeSmall:
		size = px[1]
	case SizeLarge:
		size = px[2]
	}
	width := w.l.Paper.Dots()
	lines, box, err := w.r.text.lines(s, size, b.Bold, width)
	if err != nil {
		return err
	}
	// Every line takes the face's whole line box (marks stacked on
	// capitals, descenders, dots below) and a leading, so lines never
	// touch and baselines are evenly spaced whatever each line holds. The
	// images stay cropped to their ink; ESC J feeds the blank rows.
	pitch := box.Height() + max(2, int(size/8))
	pos := 0 // dots fed since the block's first line box began
	for i, l := range lines {
		if l.img.H == 0 {
			continue
		}
		// Ink the box sample does not cover (other scripts) may stick out
		// of the box: then it starts a row below the line before.
		at := i*pitch + l.top
		if i > 0 {
			at = max(at, pos+1)
		}
		w.feed(at - pos)
		img := l.img
		if w.l.PadImages {
			img = pad(img, width, b.Align)
			w.setAlign(Left)
		} else {
			w.setAlign(b.Align)
		}
		w.e.Raster(img, w.l.Band)
		pos = at + img.H
	}
	w.feed(len(lines)*pitch - pos)
	return w.e.Err()
}

// qrImage prints a QR code drawn here, as a raster image.
func (w *writer) qrImage(data string, b Block) error {
	img, err := QRBitmap(data, w.l.QR)
	if err != nil {
		return err
	}
	if w.l.PadImages {
		img = pad(img, w.l.Paper.Dots(), b.Align)
		w.setAlign(Left)
	} else {
		w.setAlign(b.Align)
	}
	w.e.Raster(img, w.l.Band)
	return w.e.Err()
}

// feed feeds n dots (nothing when n ≤ 0).
func (w *writer) feed(n int) {
	for ; n > 0; n -= 255 {
		w.e.FeedDots(byte(min(n, 255)))
	}
}

// pad places img in a width-wide bitmap at alignment a.
func pad(img *Bitmap, width int, a Align) *Bitmap {
	x := 0
	switch a {
	case Center:
		x = (width - img.W) / 2
	case Right:
		x = width - img.W
	}
	out := NewBitmap(width, img.H)
	for y := 0; y < img.H; y++ {
		for i := 0; i < img.W; i++ {
			if img.Black(i, y) {
				out.Set(x+i, y, true)
			}
		}
	}
	return out
}

// ParseAlign parses "left", "center" or "right" ("" = left).
func ParseAlign(s string) (Align, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "left":
		return Left, nil
	case "center", "centre":
		return Center, nil
	case "right":
		return Right, nil
	}
	return 0, fmt.Errorf("%w: alignment %q; use left, center or right", ErrLayout, s)
}

// ParseSize parses "normal", "small" or "large" ("" = normal).
func ParseSize(s string) (Size, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "normal":
		return SizeNormal, nil
	case "small":
		return SizeSmall, nil
	case "large":
		return SizeLarge, nil
	}
	return 0, fmt.Errorf("%w: size %q; use small, normal or large", ErrLayout, s)
}

// ParseField checks a field name (see the Field constants).
func ParseField(s string) (Field, error) {
	f := Field(strings.ToLower(strings.TrimSpace(s)))
	switch f {
	case FieldUnit, FieldLines, FieldService, FieldNumber, FieldPriority, FieldAppointment, FieldIssued,
		FieldWait, FieldQR, FieldCode128, FieldFooter, FieldText, FieldRule, FieldChecklist:
		return f, nil
	}
	return "", fmt.Errorf("%w: field %q", ErrLayout, s)
}

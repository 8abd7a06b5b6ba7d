package escpos

import (
	"errors"
	"fmt"
)

// Errors returned by this package.
var (
	// ErrSize is returned for a character size outside 1..8.
	ErrSize = errors.New("escpos: character size must be 1..8")
	// ErrQRData is returned for QR data that is empty or longer than a
	// model 2 symbol can hold (7089 bytes).
	ErrQRData = errors.New("escpos: QR data must be 1..7089 bytes")
	// ErrQROption is returned for a QR module size outside 1..16 or an unknown
	// error correction level.
	ErrQROption = errors.New("escpos: QR module size must be 1..16 and level L, M, Q or H")
	// ErrBarcode is returned for CODE128 data that is empty, too long or holds
	// bytes outside ASCII 0x20..0x7E.
	ErrBarcode = errors.New("escpos: CODE128 data must be 1..253 printable ASCII bytes")
	// ErrImage is returned for an image wider than 65535 dots or taller than
	// 2303 rows in one band, or with a wrong pixel buffer.
	ErrImage = errors.New("escpos: bad raster image")
	// ErrTextMode is returned for an unknown text mode name.
	ErrTextMode = errors.New("escpos: unknown text mode; use raster, tcvn3 or ascii")
	// ErrPaper is returned for an unknown paper width.
	ErrPaper = errors.New("escpos: unknown paper; use 58mm or 80mm")
	// ErrLayout is returned for a layout block that cannot be printed.
	ErrLayout = errors.New("escpos: bad layout")
)

// Command bytes.
const (
	ESC = 0x1b
	GS  = 0x1d
	DLE = 0x10
	EOT = 0x04
	LF  = 0x0a
)

// Align is a horizontal alignment (ESC a n).
type Align byte

// Alignments.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// Font is a printer font (ESC M n): A is 12×24 dots, B is 9×17 dots on most
// Epson printers.
type Font byte

// Fonts.
const (
	FontA Font = 0
	FontB Font = 1
)

// QRLevel is a QR error correction level.
type QRLevel byte

// QR error correction levels, as the byte GS ( k function 169 wants.
const (
	QRLevelL QRLevel = 48
	QRLevelM QRLevel = 49
	QRLevelQ QRLevel = 50
	QRLevelH QRLevel = 51
)

// CutMode is a paper cut (GS V m n).
type CutMode byte

// Cut modes: FullCut and PartialCut are GS V function B (feed to the
// cutter, then cut).
const (
	FullCut    CutMode = 65
	PartialCut CutMode = 66
	// NoCut is for printers without a cutter, or kiosks that tear tickets
	// off: no GS V; [Encoder.Cut] sends ESC d 4 instead, a feed of four
	// lines (about 15 mm) that brings the last printed line past the tear
	// bar. [Renderer] sends ESC d nowhere else, so a reader of its jobs (the
	// simulated printer, the emulator) can take ESC d as the end of a job.
	NoCut CutMode = 0xff
)

// noCutLines is the feed, in lines, that ends a NoCut job.
const noCutLines = 4

// Encoder appends ESC/POS commands to a buffer. The zero value is ready to
// use. Methods that can fail record the first error; [Encoder.Err] returns
// it and later calls do nothing. Not safe for concurrent use.
type Encoder struct {
	buf []byte
	err error
}

// Bytes returns the commands encoded so far. The slice aliases the buffer.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Err returns the first error met, or nil.
func (e *Encoder) Err() error { return e.err }

// Reset empties the buffer and clears the error, keeping the capacity.
func (e *Encoder) Reset() { e.buf, e.err = e.buf[:0], nil }

func (e *Encoder) put(b ...byte) *Encoder {
	if e.err == nil {
		e.buf = append(e.buf, b...)
	}
	return e
}

// insert puts b at offset i (for a feed owed before a block that printed).
func (e *Encoder) insert(i int, b ...byte) {
	if e.err == nil {
		e.buf = append(e.buf[:i], append(b, e.buf[i:]...)...)
	}
}

func (e *Encoder) fail(err error) *Encoder {
	if e.err == nil {
		e.err = err
	}
	return e
}

// Init resets the printer to its power-on settings (ESC @): left aligned,
// normal size, bold off, code page 0.
func (e *Encoder) Init() *Encoder { return e.put(ESC, '@') }

// Align sets the alignment of the following lines and images (ESC a n).
func (e *Encoder) Align(a Align) *Encoder { return e.put(ESC, 'a', byte(a)) }

// Size sets the character size as multiples of the font, 1..8 each way
// (GS ! n).
func (e *Encoder) Size(width, height int) *Encoder {
	if width < 1 || width > 8 || height < 1 || height > 8 {
		return e.fail(fmt.Errorf("%w: got %d×%d", ErrSize, width, height))
	}
	return e.put(GS, '!', byte(width-1)<<4|byte(height-1))
}

// Bold turns emphasis on or off (ESC E n).
func (e *Encoder) Bold(on bool) *Encoder { return e.put(ESC, 'E', b2b(on)) }

// Font selects the character font (ESC M n).
func (e *Encoder) Font(f Font) *Encoder { return e.put(ESC, 'M', byte(f)) }

// CodePage selects the character code table for bytes 0x80..0xFF (ESC t n).
func (e *Encoder) CodePage(n byte) *Encoder { return e.put(ESC, 't', n) }

// Text appends bytes to print, already in the current code page. Control
// bytes are not filtered: the caller encodes text first (see [EncodeTCVN3],
// [FoldASCII]).
func (e *Encoder) Text(b []byte) *Encoder { return e.put(b...) }

// LF prints the line buffer and feeds one line.
func (e *Encoder) LF() *Encoder { return e.put(LF) }

// FeedLines prints and feeds n lines (ESC d n).
func (e *Encoder) FeedLines(n byte) *Encoder { return e.put(ESC, 'd', n) }

// FeedDots prints and feeds n dot rows (ESC J n).
func (e *Encoder) FeedDots(n byte) *Encoder { return e.put(ESC, 'J', n) }

// Raster prints a 1-bit image (GS v 0, normal density). Images taller than
// maxBand rows are sent as several GS v 0 bands, so a printer with a small
// buffer can start early; maxBand ≤ 0 means 256 rows.
func (e *Encoder) Raster(img *Bitmap, maxBand int) *Encoder {
	if img == nil || img.W <= 0 || img.W > 0xffff || img.H < 0 || len(img.Pix) != img.Stride()*img.H {
		return e.fail(ErrImage)
	}
	if maxBand <= 0 {
		maxBand = 256
	}
	if maxBand > 2303 {
		maxBand = 2303
	}
	xb := img.Stride()
	for y := 0; y < img.H; y += maxBand {
		h := min(maxBand, img.H-y)
		e.put(GS, 'v', '0', 0, byte(xb), byte(xb>>8), byte(h), byte(h>>8))
		e.put(img.Pix[y*xb : (y+h)*xb]...)
	}
	return e
}

// QROptions are the settings of a native QR code (model 2).
type QROptions struct {
	Module int     // module size in dots, 1..16; 0 means 6
	Level  QRLevel // 0 means M
	// Image makes a ticket draw the code itself ([QRBitmap]) and send it
	// as a raster image, for printers without native QR codes. The
	// encoder's QR ignores it.
	Image bool
}

// QR prints data as a native model 2 QR code (GS ( k: select model, module
// size, error correction, store, print).
func (e *Encoder) QR(data string, o QROptions) *Encoder {
	if o.Module == 0 {
		o.Module = 6
	}
	if o.Level == 0 {
		o.Level = QRLevelM
	}
	if o.Module < 1 || o.Module > 16 || o.Level < QRLevelL || o.Level > QRLevelH {
		return e.fail(ErrQROption)
	}
	if len(data) == 0 || len(data) > 7089 {
		return e.fail(ErrQRData)
	}
	e.put(GS, '(', 'k', 4, 0, '1', 'A', '2', 0)         // fn 165: model 2
	e.put(GS, '(', 'k', 3, 0, '1', 'C', byte(o.Module)) // fn 167: module size
	e.put(GS, '(', 'k', 3, 0, '1', 'E', byte(o.Level))  // fn 169: error correction
	n := len(data) + 3                                  // fn 180: store
	e.put(GS, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
	e.put([]byte(data)...)
	return e.put(GS, '(', 'k', 3, 0, '1', 'Q', '0') // fn 181: print
}

// BarcodeOptions are the settings of a CODE128 barcode.
type BarcodeOptions struct {
	Height int  // bar height in dots, 1..255; 0 means 80
	Width  int  // module width 2..6; 0 means 2
	HRI    bool // print the text below the bars
}

// Code128 prints data as a CODE128 barcode in code set B (GS h, GS w, GS H,
// GS k 73).
func (e *Encoder) Code128(data string, o BarcodeOptions) *Encoder {
	if o.Height == 0 {
		o.Height = 80
	}
	if o.Width == 0 {
		o.Width = 2
	}
	if len(data) == 0 || len(data) > 253 || o.Height < 1 || o.Height > 255 || o.Width < 2 || o.Width > 6 {
		return e.fail(ErrBarcode)
	}
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7e {
			return e.fail(fmt.Errorf("%w: byte %#x at %d", ErrBarcode, data[i], i))
		}
	}
	hri := byte(0)
	if o.HRI {
		hri = 2
	}
	e.put(GS, 'h', byte(o.Height), GS, 'w', byte(o.Width), GS, 'H', hri)
	e.put(GS, 'k', 73, byte(len(data)+2), '{', 'B')
	return e.put([]byte(data)...)
}

// Cut feeds the paper to the cutter plus n dot rows, then cuts (GS V m n,
// function B). With [NoCut] it only feeds: ESC d 4, then ESC J n if n > 0.
func (e *Encoder) Cut(m CutMode, n byte) *Encoder {
	if m == NoCut {
		e.FeedLines(noCutLines)
		if n > 0 {
			e.FeedDots(n)
		}
		return e
	}
	return e.put(GS, 'V', byte(m), n)
}

// StatusQuery asks for real-time status n, 1..4 (DLE EOT n): 1 printer,
// 2 offline cause, 3 error cause, 4 paper roll sensor.
func (e *Encoder) StatusQuery(n byte) *Encoder { return e.put(DLE, EOT, n) }

// AutoStatus enables (mask != 0) or disables automatic status back (GS a n).
// Bits of mask: 0x01 drawer, 0x02 online/offline, 0x04 errors, 0x08 paper
// roll sensor.
func (e *Encoder) AutoStatus(mask byte) *Encoder { return e.put(GS, 'a', mask) }

func b2b(on bool) byte {
	if on {
		return 1
	}
	return 0
}

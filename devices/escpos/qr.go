package escpos

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// quietZone is the white margin around a drawn QR code, in modules, as
// the QR standard asks so that scanners find the symbol.
const quietZone = 4

// QRBitmap draws data as a model 2 QR code (in the most compact mode for
// data; it reads the same as the printer's native GS ( k code): module
// dots per module (1..16, 0 means 6), at the error correction level (0 means M), with a quiet zone of four
// modules. The simulator shows it, and raster printing sends it as an
// image to printers without native QR codes.
func QRBitmap(data string, o QROptions) (*Bitmap, error) {
	if o.Module == 0 {
		o.Module = 6
	}
	if o.Level == 0 {
		o.Level = QRLevelM
	}
	if o.Module < 1 || o.Module > 16 || o.Level < QRLevelL || o.Level > QRLevelH {
		return nil, ErrQROption
	}
	if len(data) == 0 || len(data) > 2953 { // byte mode, version 40-L
		return nil, ErrQRData
	}
	levels := map[QRLevel]qrcode.RecoveryLevel{
		QRLevelL: qrcode.Low, QRLevelM: qrcode.Medium, QRLevelQ: qrcode.High, QRLevelH: qrcode.Highest,
	}
	q, err := qrcode.New(data, levels[o.Level])
	if err != nil {
		return nil, fmt.Errorf("escpos: encoding the QR code: %w", err)
	}
	q.DisableBorder = true
	m := q.Bitmap()
	side := (len(m) + 2*quietZone) * o.Module
	img := NewBitmap(side, side)
	for y, row := range m {
		for x, set := range row {
			if !set {
				continue
			}
			x0, y0 := (x+quietZone)*o.Module, (y+quietZone)*o.Module
			for dy := range o.Module {
				for dx := range o.Module {
					img.Set(x0+dx, y0+dy, true)
				}
			}
		}
	}
	return img, nil
}

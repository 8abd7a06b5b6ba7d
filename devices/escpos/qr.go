package escpos

import (
	"fmt"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// quietZone is the white margin around a drawn QR code, in modules, as
// the QR standard asks so that scanners find the symbol.
const quietZone = 4

// QRBitmap draws data as a model 2 QR code in byte mode, as the printer's
// native GS ( k would print it: module dots per module (1..16, 0 means 6),
// at the error correction level (0 means M), with a quiet zone of four
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
	levels := map[QRLevel]qrcode.EncodeOption{
		QRLevelL: qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionLow),
		QRLevelM: qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium),
		QRLevelQ: qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionQuart),
		QRLevelH: qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionHighest),
	}
	q, err := qrcode.NewWith(data, qrcode.WithEncodingMode(qrcode.EncModeByte), levels[o.Level])
	if err != nil {
		return nil, fmt.Errorf("escpos: encoding the QR code: %w", err)
	}
	d := &qrDrawer{module: o.Module}
	if err := q.Save(d); err != nil {
		return nil, fmt.Errorf("escpos: drawing the QR code: %w", err)
	}
	return d.img, nil
}

// qrDrawer is the encoder's writer: it draws the module matrix.
type qrDrawer struct {
	module int
	img    *Bitmap
}

func (d *qrDrawer) Write(m qrcode.Matrix) error {
	side := (m.Width() + 2*quietZone) * d.module
	d.img = NewBitmap(side, side)
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if !v.IsSet() {
			return
		}
		x0, y0 := (x+quietZone)*d.module, (y+quietZone)*d.module
		for dy := range d.module {
			for dx := range d.module {
				d.img.Set(x0+dx, y0+dy, true)
			}
		}
	})
	return nil
}

func (d *qrDrawer) Close() error { return nil }

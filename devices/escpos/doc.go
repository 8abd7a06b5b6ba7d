// Package escpos encodes the ESC/POS commands a queue ticket needs, decodes the
// status bytes a printer sends back, and lays out Vietnamese queue tickets.
//
// The parts fit like this:
//
//   - [Encoder] appends single commands (ESC @, ESC a, GS !, ESC E, ESC t, LF,
//     GS v 0, GS ( k, GS k, GS V, or ESC d for [NoCut]) to a byte slice. It
//     knows nothing of tickets.
//   - [Decoder] splits the bytes a printer sends into [Reply] values: the
//     one-byte answers to DLE EOT 1–4 and the four-byte automatic status back
//     (GS a), told apart by their fixed bits; anything else comes back as a
//     [KindUnknown] reply, so garbage never stops the reader. [Status] folds
//     replies into what an operator cares about (paper, cover, offline).
//   - Vietnamese text has three [TextMode]s: [Raster] draws text with the
//     embedded DejaVu Sans (fonts/, Bitstream Vera licence in fonts/LICENSE)
//     and sends it as GS v 0 images; [TCVN3] sends text in the printer's
//     TCVN-3 code pages (Epson pages 30 and 31); [ASCII] folds diacritics.
//   - [Renderer.Render] turns a [Ticket] and a [Layout] (paper width, text
//     mode, the list of [Block]s) into the bytes of one print job.
//   - [Parse] reads our own command stream back (used by the simulated
//     printer and by tests).
package escpos

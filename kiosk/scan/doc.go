// Package scan tells what a scanned barcode is and reads what motcua needs
// from it, without keeping the text.
//
// [Classify] sorts a scan into one of the kinds of [Kind]: an appointment
// code, the QR of a citizen's ID card ([Card]: the chip CCCD card issued
// from 2021 and the Căn cước card issued from 1 July 2024), the QR of a
// one-stop receipt (its dossier code, mã hồ sơ) or of an appointment slip
// (phiếu hẹn: the dossier code and the date to come back), or other.
//
// The package is pure: no I/O, no clock, no logging. Its values never
// print personal data: a [Card] formats as its type only, and errors say
// what check failed, never the number, name or date that failed it.
//
// [Keyer] turns an ID number into the opaque citizen key that matches a
// person's bookings and counts their tickets: an HMAC of the number with a
// secret of the unit, so that the number itself is not stored.
package scan

// Package voice calls ticket numbers aloud in Vietnamese: "Mời công dân
// có số A, hai mươi ba, đến quầy số ba".
//
// The parts, from words to sound:
//
//   - [Reading] turns numbers into Vietnamese words by the usual rules
//     (mốt, tư and lăm after mươi, lăm after mười, linh or lẻ for a zero
//     tens digit, "không trăm" inside thousands but an exact 1000 is "một
//     nghìn"), or digit by digit ([Digits]). [CallText] gives the text of a
//     whole call.
//   - A voice pack is a set of short WAV clips (the chime, the phrases,
//     the number words, the letter names; see [Clips]). The default pack
//     is embedded; it is generated from espeak-ng by internal/genpack, and
//     pack/README.md documents the layout so that an office can record its
//     own clips and point [Options].Pack at them.
//   - [Voice] concatenates clips and silences into one 16-bit mono WAV per
//     call ([Voice.CallWAV]); [Voice.Handler] serves it to the board page.
//   - [Announcer] queues calls and plays them one after the other through a
//     [Player]: [Aplay] on a Raspberry Pi, [Discard] when only the board
//     page speaks, [Recorder] in tests.
package voice

package voice

import "cmp"

// clip names one short recording of the voice pack. The name is the file
// name in the pack folder without ".wav"; names are ASCII so that a pack
// survives any file system and zip tool.
type clip string

const (
	clipChime     clip = "chime"
	clipMoi       clip = "moi-cong-dan-co-so"
	clipDenQuay   clip = "den-quay-so"
	clipXinMoi    clip = "xin-moi"
	clipMot1      clip = "mot-sac"    // "mốt", 1 after "mươi"
	clipTu        clip = "tu"         // "tư", 4 after "mươi"
	clipLam       clip = "lam"        // "lăm", 5 after "mười"/"mươi"
	clipMuoi      clip = "muoi"       // "mười", ten
	clipMuoiNgang clip = "muoi-ngang" // "mươi", the tens after 2..9
	clipTram      clip = "tram"
	clipNghin     clip = "nghin"
	clipLinh      clip = "linh"
	clipLe        clip = "le"
)

// digitClip reads the digits 0..9 in their plain form.
var digitClip = [10]clip{"khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"}

// ClipInfo describes one clip of a voice pack.
type ClipInfo struct {
	// Name is the file name in the pack folder without ".wav".
	Name string
	// Text is what the clip says, in Vietnamese.
	Text string
	// Say is the text given to the speech synthesizer when the default
	// pack is generated (a letter's name spelled for espeak-ng). Empty for
	// the chime, which is synthesized as a tone.
	Say string
}

// letter is a prefix letter of a ticket number and its Vietnamese name.
type letter struct {
	r    rune
	clip clip
	name string // how the letter is read aloud
}

// letterSay overrides the text given to espeak-ng for letters whose name
// it reads badly: it reads "gi" as a bare consonant.
var letterSay = map[rune]string{'J': "di"}

// letters are the prefix letters a pack can read. F, J, W and Z are not
// Vietnamese letters; they are read as they commonly are in Vietnam.
var letters = []letter{
	{'A', "letter-a", "a"},
	{'B', "letter-b", "bê"},
	{'C', "letter-c", "xê"},
	{'D', "letter-d", "dê"},
	{'Đ', "letter-dd", "đê"},
	{'E', "letter-e", "e"},
	{'F', "letter-f", "ép"},
	{'G', "letter-g", "giê"},
	{'H', "letter-h", "hát"},
	{'I', "letter-i", "i"},
	{'J', "letter-j", "gi"},
	{'K', "letter-k", "ca"},
	{'L', "letter-l", "e-lờ"},
	{'M', "letter-m", "em-mờ"},
	{'N', "letter-n", "en-nờ"},
	{'O', "letter-o", "o"},
	{'P', "letter-p", "pê"},
	{'Q', "letter-q", "quy"},
	{'R', "letter-r", "e-rờ"},
	{'S', "letter-s", "ét-xì"},
	{'T', "letter-t", "tê"},
	{'U', "letter-u", "u"},
	{'V', "letter-v", "vê"},
	{'W', "letter-w", "vê kép"},
	{'X', "letter-x", "ích-xì"},
	{'Y', "letter-y", "i dài"},
	{'Z', "letter-z", "dét"},
}

// letterByRune finds the letter for r (upper case), or false.
func letterByRune(r rune) (letter, bool) {
	for _, l := range letters {
		if l.r == r {
			return l, true
		}
	}
	return letter{}, false
}

// wordText is what each non-letter clip says.
var wordText = map[clip]string{
	clipChime:     "",
	clipMoi:       "mời công dân có số",
	clipDenQuay:   "đến quầy số",
	clipXinMoi:    "xin mời",
	"khong":       "không",
	"mot":         "một",
	clipMot1:      "mốt",
	"hai":         "hai",
	"ba":          "ba",
	"bon":         "bốn",
	clipTu:        "tư",
	"nam":         "năm",
	clipLam:       "lăm",
	"sau":         "sáu",
	"bay":         "bảy",
	"tam":         "tám",
	"chin":        "chín",
	clipMuoi:      "mười",
	clipMuoiNgang: "mươi",
	clipTram:      "trăm",
	clipNghin:     "nghìn",
	clipLinh:      "linh",
	clipLe:        "lẻ",
}

// wordOrder lists the non-letter clips in the order [Clips] reports them.
var wordOrder = []clip{
	clipChime, clipMoi, clipDenQuay, clipXinMoi,
	"khong", "mot", clipMot1, "hai", "ba", "bon", clipTu, "nam", clipLam,
	"sau", "bay", "tam", "chin", clipMuoi, clipMuoiNgang, clipTram, clipNghin,
	clipLinh, clipLe,
}

// Clips lists every clip a complete voice pack has: the chime, the
// phrases, the number words, the kiosk's guidance and the letters. A pack
// may also hold one clip per service ([ServiceClip]). The default pack generator
// and the pack README follow this list.
func Clips() []ClipInfo {
	out := make([]ClipInfo, 0, len(wordOrder)+len(letters)+len(guideOrder))
	for _, c := range wordOrder {
		say := wordText[c]
		out = append(out, ClipInfo{Name: string(c), Text: wordText[c], Say: say})
	}
	for _, c := range guideOrder {
		out = append(out, ClipInfo{Name: string(c), Text: guideText[c], Say: guideText[c]})
	}
	for _, l := range letters {
		out = append(out, ClipInfo{
			Name: string(l.clip),
			Text: string(l.r) + ` ("` + l.name + `")`,
			Say:  cmp.Or(letterSay[l.r], spokenLetter(l.name)),
		})
	}
	return out
}

// spokenLetter turns a letter name such as "e-lờ" into text a speech
// synthesizer reads as two syllables.
func spokenLetter(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == '-' {
			b[i] = ' '
		}
	}
	return string(b)
}

// clipTexts returns the words the clips say, for the text form of a call.
func clipTexts(cs []clip) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		if t := wordText[c]; t != "" {
			out = append(out, t)
		}
	}
	return out
}

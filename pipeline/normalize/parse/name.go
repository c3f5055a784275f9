package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// Name returns the form of a name that lookups compare: region and agency names and their
// aliases are all passed through Name before they are matched. It
//
//   - replaces invalid UTF-8 with U+FFFD,
//   - folds full-width forms to their ASCII counterparts (ＭＩＩＴ, ２０２２, （）, the
//     ideographic space) and half-width katakana to full width (golang.org/x/text/width.Fold),
//   - lower-cases letters, so "Chongqing" and "chongqing" are the same name,
//   - trims the ends and collapses every run of white space to one space,
//   - and composes the result to Unicode NFC.
//
// Name(Name(s)) == Name(s) for every s.
func Name(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = width.Fold.String(s)
	s = strings.ToLower(s)
	s = strings.Join(strings.Fields(s), " ")
	return norm.NFC.String(s)
}

// trim removes white space, the ideographic space U+3000 included, from both ends.
func trim(s string) string { return strings.TrimSpace(s) }

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// squeeze collapses white space for parsing. Text without Chinese characters keeps one space
// between words. Chinese text is written without spaces, so there a run of white space is
// dropped unless it separates two ASCII letters or digits ("10 个 5G 工厂" -> "10个5G工厂").
func squeeze(s string) string {
	words := strings.Fields(s)
	if !hasHan(s) {
		return strings.Join(words, " ")
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 && isASCIIAlnum(lastByte(words[i-1])) && isASCIIAlnum(w[0]) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

func lastByte(s string) byte { return s[len(s)-1] }

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// asciiLower lower-cases ASCII letters only, so byte offsets into the result are offsets
// into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// decodeRune and lastRune are utf8.DecodeRuneInString and utf8.DecodeLastRuneInString, but
// never return a size of 0, so loops over s always advance.
func decodeRune(s string) (rune, int) {
	r, size := utf8.DecodeRuneInString(s)
	return r, max(size, 1)
}

func lastRune(s string) (rune, int) {
	r, size := utf8.DecodeLastRuneInString(s)
	return r, max(size, 1)
}

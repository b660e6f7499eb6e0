package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxMessage bounds an error message printed to the terminal: a script can
// raise an error of any size (50 MB was tried).
const maxMessage = 8 << 10

// cleanMessage makes an error message safe to print on a terminal: control
// characters other than newline and tab (ESC, NUL, ...) and invalid UTF-8 are
// written as \x.. escapes, so that an error raised by a script cannot move the
// cursor or rewrite the screen, and the message is cut at maxMessage bytes.
func cleanMessage(s string) string {
	more := 0
	if len(s) > maxMessage {
		more = len(s) - maxMessage
		s = s[:maxMessage]
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' || r == '\t' || !unicode.IsControl(r):
			b.WriteString(s[i : i+n])
		default:
			for k := 0; k < n; k++ {
				fmt.Fprintf(&b, `\x%02x`, s[i+k])
			}
		}
		i += n
	}
	if more > 0 {
		fmt.Fprintf(&b, "… (%d bytes more)", more)
	}
	return b.String()
}

package modlang

import (
	"fmt"
	"strconv"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tNewline
	tNum
	tIdent
	tOp // operators and punctuation: + - * / ^ ( ) , = < <= > >= == != && || ! { } ;
)

type token struct {
	kind      tokKind
	text      string
	num       float64
	line, col int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "the end of the block"
	case tNewline:
		return "the end of the line"
	case tNum:
		return "number " + t.text
	case tIdent:
		return fmt.Sprintf("name %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func isLetter(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// lex splits an equation block into tokens; # and // start comments that run
// to the end of the line.
func lex(src string) ([]token, *Error) {
	var toks []token
	line, col := 1, 1
	for i := 0; i < len(src); {
		c := src[i]
		start := col
		switch {
		case c == '\n':
			toks = append(toks, token{kind: tNewline, text: "\n", line: line, col: col})
			i++
			line, col = line+1, 1
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			col++
			continue
		case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i
			for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
				j++
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					for k < len(src) && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			v, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, &Error{Line: line, Col: col, Msg: fmt.Sprintf("malformed number %q", src[i:j])}
			}
			toks = append(toks, token{kind: tNum, text: src[i:j], num: v, line: line, col: col})
			col += j - i
			i = j
			continue
		case isLetter(c):
			j := i
			for j < len(src) && (isLetter(src[j]) || isDigit(src[j]) || src[j] == '.' && j+1 < len(src) && isLetter(src[j+1])) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: src[i:j], line: line, col: col})
			col += j - i
			i = j
			continue
		}
		two := ""
		if i+1 < len(src) {
			two = src[i : i+2]
		}
		switch two {
		case "<=", ">=", "==", "!=", "&&", "||", "**":
			toks = append(toks, token{kind: tOp, text: two, line: line, col: start})
			i += 2
			col += 2
			continue
		}
		switch c {
		case '+', '-', '*', '/', '^', '(', ')', ',', '=', '<', '>', '!', '{', '}', ';':
			toks = append(toks, token{kind: tOp, text: string(c), line: line, col: start})
			i++
			col++
			continue
		}
		return nil, &Error{Line: line, Col: col, Msg: fmt.Sprintf("unexpected character %q", c)}
	}
	toks = append(toks, token{kind: tEOF, line: line, col: col})
	return toks, nil
}

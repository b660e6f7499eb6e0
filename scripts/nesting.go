package scripts

import (
	"fmt"
	"reflect"

	"github.com/yuin/gopher-lua/ast"
)

// maxNesting bounds how deeply a script's syntax may nest (expressions in
// expressions, blocks in blocks). gopher-lua's compiler recurses once or more
// per level, so a 4 MB chain of `not` overflowed the Go stack, a fatal error
// that no recover catches; the bound is checked on the parsed tree before
// compiling. Lua 5.1 itself stops at 200 levels (LUAI_MAXCCALLS, luaconf.h);
// gopher-lua's tree is deeper than Lua's count for left-associative chains
// (a + b + c ...), hence the larger bound.
const maxNesting = 1000

// checkNesting returns an error naming chunk and the line where the syntax of
// stmts nests deeper than maxNesting.
func checkNesting(stmts []ast.Stmt, chunk string) error {
	if line := deepest(reflect.ValueOf(stmts), 0, 1); line >= 0 {
		return fmt.Errorf("%s:%d: the code nests more than %d levels deep (expressions or blocks inside one another); split it up", chunk, line, maxNesting)
	}
	return nil
}

// deepest walks the syntax tree below v, depth levels down (line: that of the
// nearest node above), and returns the line of the first node deeper than
// maxNesting, or -1. The walk itself stops at that depth, so it cannot
// overflow the stack it protects.
func deepest(v reflect.Value, depth, line int) int {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			return deepest(v.Elem(), depth, line)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return -1
		}
		if p, ok := v.Interface().(ast.PositionHolder); ok && p.Line() > 0 {
			line = p.Line()
		}
		if depth++; depth > maxNesting {
			return line
		}
		return deepest(v.Elem(), depth, line)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if l := deepest(v.Field(i), depth, line); l >= 0 {
				return l
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if l := deepest(v.Index(i), depth, line); l >= 0 {
				return l
			}
		}
	}
	return -1
}
